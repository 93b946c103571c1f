/**
 * doctor proves the bot that really runs: GET PUBLIC_URL/healthz, then signed test events to
 * PUBLIC_URL/chatwoot/webhook that the real bot (createBot, its own environment) must answer "ignored".
 * Every way this goes wrong in the field is provoked for real here: the bot down, a proxy without its
 * upstream, a running process with another secret, a proxy that re-encodes JSON or drops headers,
 * another service at the address, a redirect, plain HTTP where TLS is expected.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { PROBLEMS } from '../../src/cli/doctor/report.js';
import { botEnv, closedPort, startCliWorld, type CliWorld } from './world.js';

let w: CliWorld;
const servers: Server[] = [];
afterEach(async () => {
  expect(w.chatwoot.violations()).toEqual([]);
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  await w.close();
});

async function installed(): Promise<CliWorld> {
  w = await startCliWorld();
  expect((await w.run(['install'])).code).toBe(0);
  expect((await w.run(['enable', '7'])).code).toBe(0);
  Object.assign(w.env, botEnv(w));
  return w;
}

async function listen(handler: (req: IncomingMessage, body: Buffer, res: import('node:http').ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks), res));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** A reverse proxy to `upstream` that may change what passes through, as a misconfigured one does. */
function proxyTo(upstream: string, change: { body?: (b: Buffer) => Buffer; headers?: (h: Record<string, string>) => void } = {}): Promise<string> {
  return listen((req, body, res) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'content-length' && k !== 'host') headers[k] = v;
    change.headers?.(headers);
    const out = change.body ? change.body(body) : body;
    const forward = request(`${upstream}${req.url}`, { method: req.method, headers: { ...headers, 'content-length': String(out.length) } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.on('error', () => (res.writeHead(502), res.end('Bad Gateway')));
    forward.end(out);
  });
}

async function doctor() {
  const res = await w.run(['doctor']);
  return { ...res, failed: res.stdout.split('\n').filter((l) => l.startsWith('✗ ')) };
}

function expectOnly(failed: string[], problem: { headline: string }, detail?: RegExp): void {
  expect(failed, failed.join('\n')).toHaveLength(1);
  expect(failed[0]!.startsWith(`✗ ${problem.headline}: `), failed[0]).toBe(true);
  if (detail) expect(failed[0]).toMatch(detail);
}

describe('doctor: the running bot, end to end', () => {
  it('all well: a signed test event is answered "ignored", and nothing is stored or sent', async () => {
    await installed();
    const { bot } = await w.startBot();
    const res = await doctor();
    expect(res.failed).toEqual([]);
    expect(res.stdout).toContain("✓ The bot runs behind https://203.0.113.10: /healthz answers, and it accepts a test event signed with Chatwoot's Webhook Secret (and ignores it)");
    expect(res.code).toBe(0);
    expect(await bot.store.listDue()).toEqual([]);
    expect(w.hermes.completions()).toEqual([]);
  });

  it('without an administrator token it signs with CHATWOOT_WEBHOOK_SECRET', async () => {
    await installed();
    await w.startBot();
    const res = await w.run(['doctor'], { CHATWOOT_ADMIN_TOKEN: undefined });
    expect(res.stdout).toContain('accepts a test event signed with CHATWOOT_WEBHOOK_SECRET (and ignores it)');
  });

  it('Bot not reachable: nothing listens behind PUBLIC_URL', async () => {
    await installed();
    w.botUrl = `http://127.0.0.1:${await closedPort()}`;
    const res = await doctor();
    expectOnly(res.failed, PROBLEMS.botUnreachable, /https:\/\/203\.0\.113\.10\/healthz: ECONNREFUSED/);
    expect(res.stdout).toContain(`fix: ${PROBLEMS.botUnreachable.fix}`);
    expect(res.code).toBe(1);
  });

  it('Bot not reachable: the proxy answers 502 because the bot behind it is down', async () => {
    await installed();
    w.botUrl = await proxyTo(`http://127.0.0.1:${await closedPort()}`);
    expectOnly((await doctor()).failed, PROBLEMS.botUnreachable, /answered 502: something answers there, but the bot behind it does not/);
  });

  it('The running bot refuses the signature: the process runs with an old secret, although .env here is right', async () => {
    await installed();
    await w.startBot({ CHATWOOT_WEBHOOK_SECRET: 'the-secret-before-a-reset' });
    const res = await doctor();
    expect(res.stdout).toContain("✓ Signing secret set; it matches the bot's Webhook Secret");
    expectOnly(res.failed, PROBLEMS.runningSecretDiffers, /refused a test event signed with Chatwoot's Webhook Secret/);
    expect(res.all).not.toContain('the-secret-before-a-reset');
  });

  it('The proxy changes the webhook body: it re-serialises JSON (the plain event passes, a Chatwoot-style one does not)', async () => {
    await installed();
    const { url } = await w.startBot();
    w.botUrl = await proxyTo(url, { body: (b) => (b.length ? Buffer.from(JSON.stringify(JSON.parse(b.toString('utf8')))) : b) });
    expectOnly((await doctor()).failed, PROBLEMS.bodyRewritten, /written the way Chatwoot writes JSON/);
  });

  it('The signature headers do not reach the bot: the proxy drops them', async () => {
    await installed();
    const { url } = await w.startBot();
    w.botUrl = await proxyTo(url, { headers: (h) => delete h['x-chatwoot-signature'] });
    expectOnly((await doctor()).failed, PROBLEMS.headersDropped, /missing X-Chatwoot-Signature/);
  });

  it("Clocks disagree with the bot's: the event reaches the bot stamped 10 minutes off", async () => {
    await installed();
    const { url } = await w.startBot();
    w.botUrl = await proxyTo(url, { headers: (h) => (h['x-chatwoot-timestamp'] = String(Math.floor(Date.now() / 1000) - 600)) });
    expectOnly((await doctor()).failed, PROBLEMS.clockSkew, /stale X-Chatwoot-Timestamp/);
  });

  it('PUBLIC_URL does not lead to this bot: another service answers there', async () => {
    await installed();
    w.botUrl = await listen((_req, _body, res) => (res.writeHead(404, { 'content-type': 'text/html' }), res.end('<h1>Not Found</h1>')));
    expectOnly((await doctor()).failed, PROBLEMS.notThisBot, /healthz answers, but not \{"status":"ok"\}: 404 <h1>Not Found<\/h1>/);
  });

  it('PUBLIC_URL does not lead to this bot: a health route answers, the webhook route is someone else\'s', async () => {
    await installed();
    w.botUrl = await listen((req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url === '/healthz' ? '{"status":"ok"}' : '{"received":true}');
    });
    expectOnly((await doctor()).failed, PROBLEMS.notThisBot, /answered the signed test event with 200 \{"received":true\}, not \{"status":"ignored"\}/);
  });

  it('PUBLIC_URL does not lead to this bot: it redirects', async () => {
    await installed();
    w.botUrl = await listen((_req, _body, res) => (res.writeHead(301, { location: 'https://www.example.com/healthz' }), res.end()));
    expectOnly((await doctor()).failed, PROBLEMS.notThisBot, /redirects \(301\) to https:\/\/www\.example\.com\/healthz/);
  });

  it('TLS to PUBLIC_URL fails: the port speaks plain HTTP', async () => {
    await installed();
    const { url } = await w.startBot();
    w.botUrl = url.replace('http://', 'https://');
    expectOnly((await doctor()).failed, PROBLEMS.botTls);
  });
});
