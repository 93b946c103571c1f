import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCliWorld, type CliWorld } from './world.js';

let w: CliWorld;
beforeEach(async () => {
  w = await startCliWorld();
});
afterEach(async () => {
  await w.close();
});

describe('forget: usage', () => {
  it('needs exactly one of --contact or --conversation <account> <conversation>', async () => {
    for (const argv of [['forget'], ['forget', '--contact', '3120', '--conversation', '1', '1042'], ['forget', '--conversation', '1042'], ['forget', '--contact', '3120', '1042']]) {
      const res = await w.run(argv);
      expect({ argv, code: res.code }).toEqual({ argv, code: 2 });
      expect(res.stderr).toMatch(/usage: chatwoot-hermes-bot forget|unexpected argument/);
    }
  });

  it('refuses to run without the Hermes it must delete sessions in', async () => {
    const res = await w.run(['forget', '--conversation', '1', '1042'], { HERMES_URL: undefined });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('Set HERMES_URL and HERMES_API_KEY');
  });

  it('refuses a store that does not exist here rather than creating an empty one', async () => {
    const res = await w.run(['forget', '--conversation', '1', '1042']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('No store found');
  });
});
