/**
 * The baseline: the least a Koa webhook receiver can do. It reads the whole body and answers 200 with
 * the same small JSON the bot answers, and nothing else (no router, no signature, no parsing, no
 * store). The bot's throughput is reported as a ratio of this one's, measured in the same run.
 *
 * Run by the bench as its own process: PORT=… node --import tsx bench/bare-koa.ts
 */
import Koa from 'koa';

const app = new Koa();
app.use(async (ctx) => {
  if (ctx.method === 'GET') {
    ctx.body = { status: 'ok' };
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  ctx.body = { status: body.length > 0 ? 'accepted' : 'empty' };
});

const server = app.listen(Number(process.env.PORT ?? 3999), '127.0.0.1');
server.keepAliveTimeout = 65_000; // as the bot's server
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
