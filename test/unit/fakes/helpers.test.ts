import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadFixture, sharedDir } from '../../helpers/shared.js';
import { chatwootSignature, postWebhook, signChatwoot } from '../../helpers/sign.js';
import { waitUntil } from '../../helpers/wait.js';

describe('shared folder helpers', () => {
  const saved = process.env.SHARED_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.SHARED_DIR;
    else process.env.SHARED_DIR = saved;
  });

  it('finds the shared folder and names the path when it is missing', () => {
    expect(sharedDir()).toMatch(/shared$/);
    process.env.SHARED_DIR = '/definitely/not/here';
    expect(() => sharedDir()).toThrow(/\/definitely\/not\/here/);
  });

  it('loads fixtures as independent deep copies', () => {
    const a = loadFixture('message_created-incoming-text');
    a.conversation.status = 'open';
    const b = loadFixture('message_created-incoming-text');
    expect(b.conversation.status).toBe('pending');
    expect(b.event).toBe('message_created');
    expect(() => loadFixture('no-such-fixture')).toThrow(/available: .*message_created-incoming-text/);
  });
});

describe('signChatwoot', () => {
  const body = '{"event":"message_created","id":58231}';

  it('signs "<timestamp>.<raw body>" with HMAC-SHA256 as chatwoot.md §2 (vector computed outside Node)', () => {
    // python3: hmac.new(b'bot-secret', b'1781705540.' + body, hashlib.sha256).hexdigest()
    const expected = 'sha256=0629029c4a3685821ded8b4a4281bfedcaf469db858896356add1bd62333abeb';
    const headers = signChatwoot(body, 'bot-secret', { timestamp: 1781705540, deliveryId: 'd-1' });
    expect(headers).toMatchObject({
      'content-type': 'application/json',
      'x-chatwoot-delivery': 'd-1',
      'x-chatwoot-timestamp': '1781705540',
      'x-chatwoot-signature': expected,
    });
    expect(chatwootSignature(body, 'bot-secret', 1781705540)).toBe(expected);
  });

  it('defaults to now and a fresh UUID per delivery', () => {
    const a = signChatwoot(body, 's');
    const b = signChatwoot(body, 's');
    expect(Math.abs(Number(a['x-chatwoot-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(a['x-chatwoot-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(a['x-chatwoot-delivery']).not.toBe(b['x-chatwoot-delivery']);
  });
});

describe('postWebhook', () => {
  it('sends the exact signed bytes and parses the JSON answer', async () => {
    const seen: Array<{ headers: Record<string, unknown>; raw: string }> = [];
    const server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => {
        seen.push({ headers: req.headers, raw });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
    try {
      const rawBody = '{ "spaced":  true }';
      const res = await postWebhook(url, { ignored: true }, 'sec', { rawBody, timestamp: 1700000000, headers: { 'x-extra': '1' } });
      expect(res).toMatchObject({ status: 200, body: { ok: true } });
      expect(seen[0]!.raw).toBe(rawBody);
      expect(seen[0]!.headers['x-chatwoot-signature']).toBe(chatwootSignature(rawBody, 'sec', 1700000000));
      expect(seen[0]!.headers['x-extra']).toBe('1');
    } finally {
      server.close();
    }
  });
});

describe('waitUntil', () => {
  it('rejects with the predicate and the extra description on timeout', async () => {
    await expect(waitUntil(() => false, { timeoutMs: 30, describe: () => 'context here' })).rejects.toThrow(/timed out after 30 ms[\s\S]*context here/);
  });
});
