import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite.js';
import { describeStoreContract } from './contract.js';

const dirs: string[] = [];
let current = '';
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describeStoreContract('sqlite', {
  async open() {
    current = mkdtempSync(join(tmpdir(), 'cwhb-store-'));
    dirs.push(current);
    return SqliteStore.open(current);
  },
  async reopen() {
    return SqliteStore.open(current);
  },
});
