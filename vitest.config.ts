import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // End-to-end tests start servers and child processes; two workers match the 2-core CI machine.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      // Every suite; the end-to-end ones on the embedded SQLite store.
      { extends: true, test: { name: 'sqlite', include: ['test/**/*.test.ts'] } },
      // The same end-to-end suites on Postgres (each test file its own database; skipped loudly without a server).
      {
        extends: true,
        test: { name: 'postgres', include: ['test/e2e/**/*.test.ts'], env: { E2E_STORE: 'postgres' }, setupFiles: ['test/helpers/postgres-setup.ts'] },
      },
    ],
  },
});
