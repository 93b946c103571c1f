/** `npm run demo` (see demo.ts). LOG_LEVEL=info shows the bot's own logs as well. */
import { runDemo } from './demo.js';

const result = await runDemo({ out: (line) => process.stdout.write(`${line}\n`), ...(process.env.LOG_LEVEL ? { logLevel: process.env.LOG_LEVEL } : {}) });
process.exit(result.ok ? 0 : 1);
