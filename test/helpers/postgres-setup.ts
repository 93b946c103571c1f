/**
 * Setup file of the vitest project that runs the end-to-end suites on Postgres (vitest.config.ts):
 * every test of a file is skipped, with a loud notice, when no Postgres is reachable — or fails
 * under REQUIRE_POSTGRES=1 (.ci/run sets it once the server answered).
 */
import { beforeAll, beforeEach } from 'vitest';
import { postgresUnavailable, TEST_DATABASE_URL } from './postgres.js';

let reason: string | null = null;

beforeAll(async () => {
  reason = await postgresUnavailable();
  if (reason === null) return;
  if (process.env.REQUIRE_POSTGRES === '1') throw new Error(`REQUIRE_POSTGRES=1 but Postgres (TEST_DATABASE_URL) is unreachable: ${reason}`);
  const line = '!'.repeat(100);
  process.stderr.write(
    `\n${line}\n!!! POSTGRES END-TO-END TESTS SKIPPED in ${new URL(TEST_DATABASE_URL).host}: ${reason}\n` +
      `!!! Start PostgreSQL or set TEST_DATABASE_URL; these tests did NOT run on Postgres.\n${line}\n\n`,
  );
});

beforeEach((ctx) => {
  if (reason !== null) ctx.skip();
});
