import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../demo/demo.js';
import { repoRoot } from './helpers/shared.js';

describe('npm run demo', () => {
  it('plays the exchange to the end: each step printed, one stable session per conversation, Chatwoot contract kept', async () => {
    const lines: string[] = [];
    const result = await runDemo({ out: (l) => lines.push(l), validate: true });
    expect(result).toEqual({ ok: true, violations: [] });
    const text = lines.join('\n');
    expect(text.match(/→ webhook in {3}message_created #\d+ ".+" → 200 accepted/g)).toHaveLength(5);
    expect(text.match(/← reply out {4}".+"/g)).toHaveLength(5);
    expect(text.match(/↔ Hermes {7}session chatwoot-1-104[23], turn \d/g)).toEqual([
      '↔ Hermes       session chatwoot-1-1042, turn 1',
      '↔ Hermes       session chatwoot-1-1043, turn 1',
      '↔ Hermes       session chatwoot-1-1042, turn 2',
      '↔ Hermes       session chatwoot-1-1043, turn 2',
      '↔ Hermes       session chatwoot-1-1042, turn 3',
    ]);
    // The simulated agent remembers only what its own session heard.
    expect(text).toContain('← reply out    "Of course: you\'re João, you told me at the start of this conversation."');
    expect(text).toContain('← reply out    "Of course: you\'re Maria, you told me at the start of this conversation."');
    expect(text).toContain('  conversation 1042 → session chatwoot-1-1042 (3 turns)');
    expect(text).toContain('  conversation 1043 → session chatwoot-1-1043 (2 turns)');
    expect(text).toContain("✓ Each conversation kept one session from start to end; neither session saw the other customer's messages.");
    expect(text).toMatch(/✓ The bot's \d+ requests to Chatwoot all match Chatwoot's OpenAPI contract\./);
  });

  it('runs as `npm run demo` does (tsx demo/run.ts) and exits 0', () => {
    const root = repoRoot();
    const res = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), ['demo/run.ts'], { cwd: root, encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH ?? '' } });
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain('Result: 2 conversations, 2 Hermes sessions.');
    expect(res.stderr).toBe('');
  });
});
