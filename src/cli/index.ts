#!/usr/bin/env node
/**
 * The `chatwoot-hermes-bot` command (package.json "bin"; `npx chatwoot-hermes-bot …`). Reads .env from
 * the working directory like the bot does, then runs one command (src/cli/main.ts).
 */
import { pino } from 'pino';
import { loadDotEnv } from '../config/index.js';
import { runCli } from './main.js';
import { readSecretInput } from './stdin.js';

loadDotEnv();
const code = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  // Library warnings only, on stderr: stdout is the answer.
  log: pino({ level: 'warn', base: null }, pino.destination({ dest: 2, sync: true })),
  readSecret: (prompt) => readSecretInput(prompt),
});
// Exit now: an idle keep-alive socket or a database pool must not keep a finished command waiting.
process.exit(code);
