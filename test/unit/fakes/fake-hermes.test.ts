import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { derivedSessionId, startFakeHermes, type FakeHermes, type FakeHermesOptions } from '../../fakes/fake-hermes.js';

interface CallOptions {
  key?: string | null;
  session?: string;
  sessionKey?: string;
  idempotencyKey?: string;
}

async function chat(h: FakeHermes, messages: unknown, o: CallOptions = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const key = o.key === undefined ? 'hermes-key' : o.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (o.session !== undefined) headers['x-hermes-session-id'] = o.session;
  if (o.sessionKey !== undefined) headers['x-hermes-session-key'] = o.sessionKey;
  if (o.idempotencyKey !== undefined) headers['idempotency-key'] = o.idempotencyKey;
  const res = await fetch(`${h.url}/v1/chat/completions`, { method: 'POST', headers, body: JSON.stringify({ model: 'hermes-agent', messages }) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null, session: res.headers.get('x-hermes-session-id') };
}

const turn = (text: string, system = 'Você é o assistente da Acme.') => [
  { role: 'system', content: system },
  { role: 'user', content: text },
];
const reply = (r: { json: any }): string => r.json.choices[0].message.content;

describe('fake Hermes', () => {
  let h: FakeHermes;
  const start = async (opts: FakeHermesOptions = {}) => {
    h = await startFakeHermes(opts);
    return h;
  };
  beforeEach(async () => {
    await start();
  });
  afterEach(async () => {
    await h.close();
  });

  it('serves health, models and capabilities (features per options)', async () => {
    expect(await (await fetch(`${h.url}/health`)).json()).toEqual({ status: 'ok', platform: 'hermes-agent' });
    const auth = { authorization: 'Bearer hermes-key' };
    const models = (await (await fetch(`${h.url}/v1/models`, { headers: auth })).json()) as any;
    expect(models.data[0].id).toBe('hermes-agent');
    const caps = await (await fetch(`${h.url}/v1/capabilities`, { headers: auth })).json();
    expect(caps).toMatchObject({
      object: 'hermes.api_server.capabilities',
      features: { session_continuity_header: 'X-Hermes-Session-Id', session_key_header: 'X-Hermes-Session-Key', sessions_api: false },
    });
    await h.close();
    await start({ advertiseSessionHeader: false, advertiseSessionsApi: true });
    const bare = (await (await fetch(`${h.url}/v1/capabilities`, { headers: auth })).json()) as any;
    expect(bare.features.session_continuity_header).toBeUndefined();
    expect(bare.endpoints.sessions).toBe('/api/sessions');
  });

  it('answers 401 with the exact Hermes body for a missing or wrong key', async () => {
    for (const key of [null, 'nope']) {
      const res = await chat(h, turn('Oi'), { key });
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ error: { message: 'Invalid API key', type: 'invalid_request_error', code: 'invalid_api_key' } });
    }
    expect(h.runs).toBe(0);
  });

  it('rejects empty messages and file parts, accepts text and image_url parts', async () => {
    expect((await chat(h, [])).status).toBe(400);
    const file = await chat(h, [{ role: 'user', content: [{ type: 'file', file: { file_id: 'x' } }] }]);
    expect([file.status, file.json.error.code]).toEqual([400, 'unsupported_content_type']);
    const parts = await chat(h, [{ role: 'user', content: [{ type: 'text', text: 'veja' }, { type: 'image_url', image_url: { url: 'https://x/y.jpg' } }] }]);
    expect(reply(parts)).toBe('Resposta 1: veja');
  });

  it('answers a chat.completion with finish_reason stop and usage', async () => {
    const res = await chat(h, turn('Vocês abrem no sábado?'));
    expect(res.json).toMatchObject({
      object: 'chat.completion',
      model: 'hermes-agent',
      choices: [{ message: { role: 'assistant', content: 'Resposta 1: Vocês abrem no sábado?' }, finish_reason: 'stop' }],
      usage: { total_tokens: expect.any(Number) },
    });
  });

  it('derives header-less ids from system + first message, so equal first turns collide (#7484)', async () => {
    const a = await chat(h, turn('Oi'));
    const b = await chat(h, turn('Oi'));
    const other = await chat(h, turn('Oi', 'outro prompt'));
    expect(a.session).toBe(derivedSessionId('Você é o assistente da Acme.', 'Oi'));
    expect(a.session).toMatch(/^api-[0-9a-f]{16}$/);
    expect(b.session).toBe(a.session);
    expect(other.session).not.toBe(a.session);
    // Two customers, one Hermes session: the second is turn 2 and the history holds both.
    expect([reply(a), reply(b)]).toEqual(['Resposta 1: Oi', 'Resposta 2: Oi']);
    expect(h.sessions.get(a.session!)!.history).toHaveLength(4);
  });

  it('permissive: any safe id continues a session; stored history replaces the body, only the last user entry counts', async () => {
    const seen: unknown[] = [];
    h.setReply(({ turn: n, userText, history }) => {
      seen.push(history);
      return `Resposta ${n}: ${userText}`;
    });
    expect(reply(await chat(h, turn('primeira'), { session: 'cw-1-1042' }))).toBe('Resposta 1: primeira');
    const second = await chat(
      h,
      [{ role: 'system', content: 's' }, { role: 'user', content: 'IGNORADA' }, { role: 'assistant', content: 'x' }, { role: 'user', content: 'segunda' }],
      { session: 'cw-1-1042' },
    );
    expect([reply(second), second.session]).toEqual(['Resposta 2: segunda', 'cw-1-1042']);
    expect(seen[1]).toEqual([{ role: 'user', content: 'primeira' }, { role: 'assistant', content: 'Resposta 1: primeira' }]);
    const rec = h.completions()[1]!;
    expect(rec).toMatchObject({ sessionIdSent: 'cw-1-1042', sessionIdReturned: 'cw-1-1042', userText: 'segunda', ignoredBodyEntries: 2 });
  });

  it('permissive: rejects unsafe and too long ids with 400', async () => {
    for (const bad of ['../etc', 'a/b', 'a\\b', 'C:x']) {
      const res = await chat(h, turn('x'), { session: bad });
      expect([res.status, res.json.error.message]).toEqual([400, 'Invalid session ID']);
    }
    const long = await chat(h, turn('x'), { session: 'a'.repeat(257) });
    expect([long.status, long.json.error.message]).toEqual([400, 'Session ID too long']);
    expect(h.runs).toBe(0);
  });

  it('strict: unknown or client-made ids → 404; a derived id from a header-less turn works', async () => {
    await h.close();
    await start({ sessionMode: 'strict' });
    for (const id of ['cw-1-1042', '20260617_141211_abcdef']) {
      const res = await chat(h, turn('x'), { session: id });
      expect([res.status, res.json.error.message]).toEqual([404, 'Unknown session ID']);
    }
    const first = await chat(h, turn('Oi [nonce 7f3a]'));
    const next = await chat(h, turn('e agora?'), { session: first.session! });
    expect([next.status, reply(next), next.session]).toEqual([200, 'Resposta 2: e agora?', first.session]);
  });

  it('strict with rotateOnTurn: echoes a compression child id that carries the history', async () => {
    await h.close();
    await start({ sessionMode: 'strict', rotateOnTurn: 2 });
    const t1 = await chat(h, turn('um'));
    const t2 = await chat(h, turn('dois'), { session: t1.session! });
    expect(t2.session).toMatch(/^\d{8}_\d{6}_[0-9a-f]{6}$/);
    const t3 = await chat(h, turn('três'), { session: t2.session! });
    expect([reply(t3), t3.session]).toEqual(['Resposta 3: três', t2.session]);
    expect(h.sessions.get(t2.session!)).toMatchObject({ parentId: t1.session, turns: 3 });
    expect(h.sessions.get(t1.session!)!.rotatedTo).toBe(t2.session);
  });

  it('without an API key: no auth needed, but session headers → 403', async () => {
    await h.close();
    await start({ apiKey: null });
    expect((await chat(h, turn('oi'), { key: null })).status).toBe(200);
    expect((await chat(h, turn('oi'), { key: null, session: 'cw-1-1' })).status).toBe(403);
    expect((await chat(h, turn('oi'), { key: null, sessionKey: 'cw-1-contact-3' })).status).toBe(403);
  });

  it('records and echoes X-Hermes-Session-Key', async () => {
    const res = await chat(h, turn('oi'), { session: 'cw-1-9', sessionKey: 'cw-1-contact-3120' });
    expect(res.headers.get('x-hermes-session-key')).toBe('cw-1-contact-3120');
    expect(h.completions()[0]!.sessionKey).toBe('cw-1-contact-3120');
  });

  it('replays an Idempotency-Key with the same body without running again; a new body runs', async () => {
    const a = await chat(h, turn('oi'), { session: 'cw-1-5', idempotencyKey: 'cw-1-58231' });
    const b = await chat(h, turn('oi'), { session: 'cw-1-5', idempotencyKey: 'cw-1-58231' });
    expect(b.json).toEqual(a.json);
    expect(h.runs).toBe(1);
    expect(h.completions().map((r) => r.replayed)).toEqual([false, true]);
    await chat(h, turn('outra'), { session: 'cw-1-5', idempotencyKey: 'cw-1-58231' });
    expect(h.runs).toBe(2);
  });

  it('answers 429 rate_limit_exceeded with Retry-After over max_concurrent_runs', async () => {
    await h.close();
    await start({ maxConcurrentRuns: 2, delayMs: 150 });
    const results = await Promise.all([1, 2, 3].map((i) => chat(h, turn(`m${i}`), { session: `cw-1-${i}` })));
    const limited = results.filter((r) => r.status === 429);
    expect(limited).toHaveLength(1);
    expect(limited[0]!.headers.get('retry-after')).toBe('1');
    expect(limited[0]!.json.error).toMatchObject({ code: 'rate_limit_exceeded', message: 'Too many concurrent runs (max 2)' });
    expect([h.runs, h.peakConcurrentRuns]).toEqual([2, 2]);
  });

  it('injects each failure in order, then answers normally', async () => {
    h.failNext(['incomplete', 'partial', 'server_error', 'rate_limited', 'auth', { status: 503, body: { error: 'maint' } }, 'reset']);
    const incomplete = await chat(h, turn('a'));
    expect([incomplete.status, incomplete.json.error]).toEqual([502, expect.objectContaining({ type: 'server_error', code: 'agent_incomplete' })]);
    const partial = await chat(h, turn('a'), { session: 'cw-1-2' });
    expect(partial.status).toBe(200);
    expect(partial.json.choices[0].finish_reason).toBe('error');
    expect(partial.json.hermes).toMatchObject({ completed: false, partial: true, failed: true, error: expect.any(String), error_code: expect.any(String) });
    expect([partial.headers.get('x-hermes-completed'), partial.headers.get('x-hermes-partial')]).toEqual(['false', 'true']);
    expect((await chat(h, turn('a'))).status).toBe(500);
    const limited = await chat(h, turn('a'));
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '1']);
    expect((await chat(h, turn('a'))).json.error.code).toBe('invalid_api_key');
    expect(await chat(h, turn('a'))).toMatchObject({ status: 503, json: { error: 'maint' } });
    await expect(chat(h, turn('a'))).rejects.toThrow();
    expect(reply(await chat(h, turn('a')))).toBe('Resposta 1: a');
    expect(h.runs).toBe(1);
    expect(h.completions().map((r) => r.injected)).toEqual(['incomplete', 'partial', 'server_error', 'rate_limited', 'auth', 'status 503', 'reset', null]);
  });

  it('setDown drops every connection until switched back', async () => {
    h.setDown(true);
    await expect(fetch(`${h.url}/health`)).rejects.toThrow();
    h.setDown(false);
    expect((await fetch(`${h.url}/health`)).status).toBe(200);
  });

  it('serves /api/sessions only when advertised', async () => {
    expect((await fetch(`${h.url}/api/sessions`, { method: 'POST', headers: { authorization: 'Bearer hermes-key' } })).status).toBe(404);
    await h.close();
    await start({ advertiseSessionsApi: true });
    const post = (path: string, body: unknown) =>
      fetch(`${h.url}${path}`, { method: 'POST', headers: { authorization: 'Bearer hermes-key', 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/api/sessions', { id: 'cw-1-1042' })).status).toBe(201);
    expect((await post('/api/sessions', { id: 'cw-1-1042' })).status).toBe(409);
    const res = await post('/api/sessions/cw-1-1042/chat', { message: 'Oi' });
    expect(await res.json()).toMatchObject({ object: 'hermes.session.chat.completion', session_id: 'cw-1-1042', message: { content: 'Resposta 1: Oi' } });
    expect((await post('/api/sessions/nope/chat', { message: 'Oi' })).status).toBe(404);
    expect((await post('/api/sessions/cw-1-1042/chat', {})).status).toBe(400);
  });

  it('deletes a session as api_server.py _handle_delete_session does: auth first, 200 deleted, then 404 session_not_found', async () => {
    await h.close();
    await start({ advertiseSessionsApi: true });
    const del = (id: string, key = 'hermes-key') => fetch(`${h.url}/api/sessions/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${key}` } });
    await fetch(`${h.url}/api/sessions`, { method: 'POST', headers: { authorization: 'Bearer hermes-key', 'content-type': 'application/json' }, body: JSON.stringify({ id: 'cw-1-1042' }) });
    const refused = await del('cw-1-1042', 'wrong');
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: { message: 'Invalid API key', type: 'invalid_request_error', code: 'invalid_api_key' } });
    const deleted = await del('cw-1-1042');
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({ object: 'hermes.session.deleted', id: 'cw-1-1042', deleted: true });
    expect(h.sessions.has('cw-1-1042')).toBe(false);
    const again = await del('cw-1-1042');
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual({ error: { message: 'Session not found: cw-1-1042', type: 'invalid_request_error', param: null, code: 'session_not_found' } });
  });
});
