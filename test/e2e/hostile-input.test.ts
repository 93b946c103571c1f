/**
 * Hostile webhook bodies that are correctly signed (the chaos suite's bad-input fault found each of
 * these): an authentic body is answered 2xx (stored, or "ignored") or 4xx, never 5xx, and the bot
 * keeps serving. Run on SQLite, and on Postgres with E2E_STORE=postgres.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadFixture } from '../helpers/shared.js';
import { waitUntil } from '../helpers/wait.js';
import { customerMessage, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function fixtureBody(n: number): Promise<unknown> {
  const body = loadFixture('message_created-incoming-text');
  body.created_at = new Date().toISOString();
  customerMessage(n, `deep ${n}`, 9000 + n)(body);
  return body;
}

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('hostile but authentic webhook bodies', () => {
  it('stores text with U+0000 and lone surrogates (as U+FFFD) and answers it', async () => {
    h = await startHarness();
    const res = await h.send('message_created-incoming-text', customerMessage(501, 'nul\u0000 lone\ud800 low\udc00 end', 9001));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'accepted' });
    await waitUntil(() => h.hermes.completions().length === 1);
    expect(h.hermes.completions()[0]!.userText).toContain('nul\ufffd lone\ufffd low\ufffd end');
  });

  it('stores an attachment whose extra fields hold U+0000, lone surrogates and deep nesting', async () => {
    h = await startHarness();
    const res = await h.send('message_created-incoming-text', (body) => {
      customerMessage(502, 'with an attachment', 9002)(body);
      body.attachments = [{ id: 1, file_type: 'image', data_url: 'https://x.test/a\u0000.png', extra: { deep: nested(40), s: '\ud83d' } }];
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'accepted' });
  });

  it('refuses very deep nesting with a 400, wherever it is', async () => {
    h = await startHarness();
    // Built as text: JSON.stringify itself cannot serialise 10,000 levels.
    const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    for (const [n, place] of [[503, 'attachments'], [504, 'whatever']] as const) {
      const body = JSON.parse(JSON.stringify(await fixtureBody(n)));
      const raw = JSON.stringify({ ...body, [place]: '@@DEEP@@' }).replace('"@@DEEP@@"', () => (place === 'attachments' ? `[${deep}]` : deep));
      const res = await h.post(undefined, { rawBody: raw });
      expect(res.status, place).toBe(400);
    }
    const ok = await h.send('message_created-incoming-text', customerMessage(505, 'still answering', 9005));
    expect(ok.body).toEqual({ status: 'accepted' });
  });

  it('answers wrong-typed fields "ignored" (2xx) or 4xx, never 5xx', async () => {
    h = await startHarness();
    const mutations: Array<(body: any) => void> = [
      (b) => (b.created_at = 1e300),
      (b) => (b.created_at = -1e20),
      (b) => (b.created_at = Number.MAX_SAFE_INTEGER),
      (b) => (b.created_at = 'not a date'),
      (b) => (b.attachments = 'x'),
      (b) => (b.attachments = [1, null, 'x']),
      (b) => (b.attachments = { 0: {} }),
      (b) => (b.conversation.labels = [1]),
      (b) => (b.conversation = null),
      (b) => (b.id = 1e300),
      (b) => (b.id = -0),
      (b) => (b.account = { id: 2 ** 60 }),
      (b) => (b.conversation.id = 2 ** 60),
      (b) => (b.conversation.id = -5),
      (b) => (b.sender = []),
      (b) => (b.content = { toString: 1 }),
      // Own keys, as JSON.parse makes them (an assignment to __proto__ would set the prototype instead).
      (b) => Object.defineProperty(b, '__proto__', { value: { polluted: true }, enumerable: true }),
      (b) => Object.defineProperty(b.conversation, 'constructor', { value: { prototype: { polluted: true } }, enumerable: true }),
    ];
    const fivexx: string[] = [];
    let n = 600;
    for (const mutate of mutations) {
      const res = await h.send('message_created-incoming-text', (body) => {
        customerMessage(n, `wrong type ${n}`, 9100 + n)(body);
        mutate(body);
      });
      n++;
      if (res.status >= 500) fivexx.push(`${mutate.toString()} → ${res.status} ${JSON.stringify(res.body)}`);
    }
    expect(fivexx).toEqual([]);
    expect(({} as any).polluted).toBeUndefined();
  });
});
