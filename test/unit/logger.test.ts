import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, stream };
}

describe('logger', () => {
  it('redacts tokens and secrets wherever a careless log call puts them', () => {
    const { lines, stream } = capture();
    const log = createLogger('info', stream);
    log.info({
      headers: { api_access_token: 'bot-tok-1', authorization: 'Bearer k-2', 'x-chatwoot-signature': 'sha256=abc' },
      config: { chatwoot: { botToken: 'bot-tok-1', webhookSecret: 's-3' }, hermes: { apiKey: 'k-2' }, store: { databaseUrl: 'postgres://u:pw@h/db' } },
      secret: 's-3',
      account: 1,
    }, 'event');
    const out = lines.join('');
    for (const secret of ['bot-tok-1', 'k-2', 's-3', 'pw@h', 'sha256=abc']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
    expect(JSON.parse(out)).toMatchObject({ level: 'info', msg: 'event', account: 1, service: 'chatwoot-hermes-bot' });
  });
});
