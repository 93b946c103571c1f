import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { HermesClient, HermesError } from '../../src/hermes/client.js';

const BASE = 'http://hermes.test:8642';
const client = new HermesClient({ baseUrl: BASE, apiKey: 'k-123', baseDelayMs: 5 });
const ok = (content: string) => ({ id: 'chatcmpl-1', object: 'chat.completion', choices: [{ message: { role: 'assistant', content }, finish_reason: 'stop' }] });
const request = (over: Partial<Parameters<HermesClient['complete']>[0]> = {}) =>
  client.complete({ sessionId: 'chatwoot-1-1042', idempotencyKey: 'cw-1-1042-58231-abc', system: 'Seja breve.', user: 'Oi', deadline: Date.now() + 5000, ...over });

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  expect(nock.isDone()).toBe(true);
  nock.cleanAll();
});

describe('HermesClient.complete', () => {
  it('sends the session, idempotency and auth headers and one system + one user message', async () => {
    nock(BASE, { reqheaders: { authorization: 'Bearer k-123', 'x-hermes-session-id': 'chatwoot-1-1042', 'idempotency-key': 'cw-1-1042-58231-abc' } })
      .post('/v1/chat/completions', { model: 'hermes-agent', messages: [{ role: 'system', content: 'Seja breve.' }, { role: 'user', content: 'Oi' }] })
      .reply(200, ok('Olá!'), { 'x-hermes-session-id': 'chatwoot-1-1042' });
    expect(await request()).toEqual({ content: 'Olá!', sessionId: 'chatwoot-1-1042', finishReason: 'stop' });
  });

  it('omits the session header for the strict-build fallback and the system message when there is none', async () => {
    nock(BASE, { badheaders: ['x-hermes-session-id'] })
      .post('/v1/chat/completions', { model: 'hermes-agent', messages: [{ role: 'user', content: 'Oi' }] })
      .reply(200, ok('Olá!'), { 'x-hermes-session-id': 'api-0123456789abcdef' });
    expect((await request({ sessionId: null, system: null })).sessionId).toBe('api-0123456789abcdef');
  });

  it('retries 5xx and network errors, then succeeds', async () => {
    nock(BASE).post('/v1/chat/completions').reply(500, { error: { message: 'boom', code: 'server_error' } });
    nock(BASE).post('/v1/chat/completions').replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    nock(BASE).post('/v1/chat/completions').reply(200, ok('Voltei'));
    expect((await request()).content).toBe('Voltei');
  });

  it('honours Retry-After on 429', async () => {
    nock(BASE).post('/v1/chat/completions').reply(429, { error: { message: 'Too many concurrent runs (max 10)', code: 'rate_limit_exceeded' } }, { 'retry-after': '1' });
    nock(BASE).post('/v1/chat/completions').reply(200, ok('ok'));
    const started = Date.now();
    await request();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it.each([
    ['502 agent_incomplete', () => nock(BASE).post('/v1/chat/completions').reply(502, { error: { message: 'agent did not finish', code: 'agent_incomplete' } }), 'incomplete'],
    ['X-Hermes-Completed: false', () => nock(BASE).post('/v1/chat/completions').reply(200, ok('partial text'), { 'x-hermes-completed': 'false' }), 'incomplete'],
    ['finish_reason error', () => nock(BASE).post('/v1/chat/completions').reply(200, { choices: [{ message: { content: 'x' }, finish_reason: 'error' }] }), 'incomplete'],
    ['hermes.partial', () => nock(BASE).post('/v1/chat/completions').reply(200, { ...ok('x'), hermes: { completed: false, partial: true } }), 'incomplete'],
    ['401 invalid key', () => nock(BASE).post('/v1/chat/completions').reply(401, { error: { message: 'Invalid API key', code: 'invalid_api_key' } }), 'unauthorized'],
    ['404 unknown session (strict build)', () => nock(BASE).post('/v1/chat/completions').reply(404, { error: { message: 'Unknown session ID' } }), 'session_rejected'],
    ['400 invalid session id', () => nock(BASE).post('/v1/chat/completions').reply(400, { error: { message: 'Invalid session ID' } }), 'session_rejected'],
    ['no content', () => nock(BASE).post('/v1/chat/completions').reply(200, { choices: [] }), 'bad_response'],
  ])('fails at once, without retry, on %s', async (_name, setup, kind) => {
    setup();
    const error = await request().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HermesError);
    expect((error as HermesError).kind).toBe(kind);
  });

  it('does not follow a redirect (a POST would be re-sent as a GET) and says which address to configure', async () => {
    nock(BASE).post('/v1/chat/completions').reply(308, '', { location: 'https://hermes.example/v1/chat/completions' });
    const error = (await request().catch((e: unknown) => e)) as HermesError;
    expect(error).toBeInstanceOf(HermesError);
    expect(error.kind).toBe('bad_response');
    expect(error.message).toContain('a redirect to https://hermes.example/v1/chat/completions');
    expect(error.message).toContain('set HERMES_URL');
  });

  it('gives up at the deadline', async () => {
    nock(BASE).post('/v1/chat/completions').delay(400).reply(200, ok('late'));
    const error = await request({ deadline: Date.now() + 150 }).catch((e: unknown) => e);
    expect((error as HermesError).kind).toBe('timeout');
  });

  it('reports an abort (shutdown) as aborted, not as a failure to hand off', async () => {
    nock(BASE).post('/v1/chat/completions').delay(400).reply(200, ok('late'));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await request({ signal: controller.signal }).catch((e: unknown) => e);
    expect((error as HermesError).kind).toBe('aborted');
  });
});

describe('HermesClient retries: 503 gateway_draining and the debug log', () => {
  const draining = { error: { message: 'Gateway is draining existing work; retry shortly.', type: 'invalid_request_error', param: null, code: 'gateway_draining' } };

  function loggedClient() {
    const lines: Array<Record<string, unknown>> = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    return { lines, client: new HermesClient({ baseUrl: BASE, apiKey: 'k-123', baseDelayMs: 5, log }) };
  }
  const ask = (c: HermesClient) => c.complete({ sessionId: 'chatwoot-1-1042', idempotencyKey: 'k', system: null, user: 'Oi', deadline: Date.now() + 5000 });

  it('waits the Retry-After Hermes sends while draining, then succeeds', async () => {
    nock(BASE).post('/v1/chat/completions').reply(503, draining, { 'retry-after': '1' });
    nock(BASE).post('/v1/chat/completions').reply(200, ok('De volta'));
    const started = Date.now();
    expect((await request()).content).toBe('De volta');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('logs each retry at debug level with reason, attempt and wait, and never the key', async () => {
    const { lines, client: c } = loggedClient();
    nock(BASE).post('/v1/chat/completions').reply(503, draining, { 'retry-after': '1' });
    nock(BASE).post('/v1/chat/completions').reply(500, { error: { message: 'boom', code: 'server_error' } });
    nock(BASE).post('/v1/chat/completions').reply(200, ok('ok'));
    await ask(c);
    const retries = lines.filter((l) => l.msg === 'hermes call failed, retrying');
    expect(retries).toHaveLength(2);
    expect(retries[0]).toMatchObject({ level: 20, attempt: 1, waitMs: 1000, retryAfter: true, session: 'chatwoot-1-1042', hermes: BASE });
    expect(String(retries[0]!.reason)).toContain('503 gateway_draining');
    expect(retries[1]).toMatchObject({ level: 20, attempt: 2, retryAfter: false });
    expect(String(retries[1]!.reason)).toContain('500 server_error');
    expect(JSON.stringify(lines)).not.toContain('k-123');
  });

  it('a draining error that outlasts the deadline fails as draining, retryable in kind', async () => {
    nock(BASE).post('/v1/chat/completions').reply(503, draining, { 'retry-after': '10' });
    const error = await client.complete({ sessionId: 's', idempotencyKey: 'k', system: null, user: 'Oi', deadline: Date.now() + 2000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HermesError);
    expect((error as HermesError).kind).toBe('draining');
    expect((error as HermesError).retryAfterMs).toBe(10_000);
  });
});

describe('HermesClient.deleteSession (forget)', () => {
  it('deletes with the key, and takes 404 session_not_found as already gone (deleting twice is safe)', async () => {
    nock(BASE, { reqheaders: { authorization: 'Bearer k-123' } })
      .delete('/api/sessions/chatwoot-1-1042')
      .reply(200, { object: 'hermes.session.deleted', id: 'chatwoot-1-1042', deleted: true });
    nock(BASE)
      .delete('/api/sessions/chatwoot-1-1042')
      .reply(404, { error: { message: 'Session not found: chatwoot-1-1042', type: 'invalid_request_error', param: null, code: 'session_not_found' } });
    expect(await client.deleteSession('chatwoot-1-1042')).toBe('deleted');
    expect(await client.deleteSession('chatwoot-1-1042')).toBe('absent');
  });

  it('says so when this Hermes has no sessions API (a bare 404), refuses a wrong key, and reports an unavailable session store', async () => {
    nock(BASE).delete('/api/sessions/chatwoot-1-1042').reply(404, '404: Not Found');
    await expect(client.deleteSession('chatwoot-1-1042')).rejects.toThrow(/no sessions API/);
    nock(BASE).delete('/api/sessions/chatwoot-1-1042').reply(401, { error: { message: 'Invalid API key', type: 'invalid_request_error', code: 'invalid_api_key' } });
    await expect(client.deleteSession('chatwoot-1-1042')).rejects.toMatchObject({ kind: 'unauthorized', status: 401 });
    nock(BASE).delete('/api/sessions/chatwoot-1-1042').reply(503, { error: { message: 'Session database unavailable', code: 'session_db_unavailable' } });
    await expect(client.deleteSession('chatwoot-1-1042')).rejects.toMatchObject({ kind: 'unavailable', status: 503 });
  });
});
