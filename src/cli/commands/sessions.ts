import { HermesClient, HermesError } from '../../hermes/client.js';
import { SessionRunner } from '../../hermes/session.js';
import { importWebhookSessions, webhookRoute } from '../../hermes/webhook-sessions.js';
import type { SessionRecord } from '../../store/store.js';
import { parseId } from '../args.js';
import { CliError, JSON_OPTION, printJson, stringOption, wantsJson, type CliIo, type Command, type ParsedArgs } from '../command.js';
import { MARK, table } from '../format.js';
import { withStore } from '../store.js';

export const sessions: Command = {
  name: 'sessions',
  summary: 'Show which Hermes session each conversation uses; `sessions reset` starts a fresh one',
  synopsis: '[reset <account-id> <conversation-id> | import-webhook <inbox-id>]',
  details: [
    'Lists the conversation → Hermes session map kept in the bot\'s store, optionally for one account or',
    'conversation. MODE "header" = the bot\'s own stable id; "server" = an id issued by a strict Hermes build.',
    '`sessions reset <account-id> <conversation-id>` gives the conversation a new, empty Hermes session from',
    'its next message on (the old one stays in Hermes).',
    '`sessions import-webhook <inbox-id>` finds, in Hermes (HERMES_URL, HERMES_API_KEY), the sessions the older',
    'webhook-route setup kept for that inbox (route captain-inbox-<inbox-id>, or --route) and makes each',
    'conversation continue its own: README → Moving from the webhook-route setup.',
    '',
    'Examples:',
    '  chatwoot-hermes-bot sessions --conversation 1042',
    '  chatwoot-hermes-bot sessions reset 1 1042',
    '  chatwoot-hermes-bot sessions import-webhook 7 --account 1',
  ].join('\n'),
  options: {
    account: { type: 'string', value: 'id', help: 'Only this Chatwoot account' },
    conversation: { type: 'string', value: 'id', help: 'Only this conversation (the number in its Chatwoot address)' },
    route: { type: 'string', value: 'name', help: 'import-webhook: the Hermes webhook route (default captain-inbox-<inbox-id>)' },
    ...JSON_OPTION,
  },
  async run(io, args) {
    const [sub, ...rest] = args.positionals;
    if (sub === 'reset') return reset(io, args, rest);
    if (sub === 'import-webhook') return importWebhook(io, args, rest);
    if (sub !== undefined) throw new CliError(`unknown sessions subcommand "${sub}" (did you mean: sessions reset <account-id> <conversation-id>?)`, 2);
    return list(io, args);
  },
};

async function list(io: CliIo, args: ParsedArgs): Promise<number> {
  const account = stringOption(args, 'account');
  const conversation = stringOption(args, 'conversation');
  const filter = {
    ...(account !== undefined ? { accountId: parseId(account, 'The account id') } : {}),
    ...(conversation !== undefined ? { conversationId: parseId(conversation, 'The conversation id') } : {}),
  };
  return withStore(io, { mustExist: true }, async ({ store, where }) => {
    const records = await store.listSessions(filter);
    if (wantsJson(args)) {
      printJson(io, { store: where, sessions: records.map(sessionJson) });
      return 0;
    }
    if (records.length === 0) {
      io.out(conversation || account ? `No Hermes session for that ${conversation ? 'conversation' : 'account'} yet (${where}).` : `No Hermes sessions yet (${where}): they start with each conversation's first answered message.`);
      return 0;
    }
    io.out(table(['ACCOUNT', 'CONVERSATION', 'HERMES SESSION', 'MODE', 'RESETS', 'TURNS', 'STARTED', 'LAST USED'], records.map(row)));
    io.out('');
    io.out(`${records.length} conversation${records.length === 1 ? '' : 's'} (${where}). MODE header = the bot's own id; server = issued by a strict Hermes build.`);
    return 0;
  });
}

/** `sessions --json`: one object per conversation; times in ISO 8601 (UTC), lastUsedAt null before the first turn. */
function sessionJson(s: SessionRecord) {
  return {
    accountId: s.key.accountId,
    conversationId: s.key.conversationId,
    sessionId: s.sessionId,
    mode: s.mode,
    resets: s.generation,
    turns: s.turnCount,
    startedAt: new Date(s.createdAt).toISOString(),
    lastUsedAt: s.lastUsedAt === null ? null : new Date(s.lastUsedAt).toISOString(),
  };
}

function row(s: SessionRecord): string[] {
  return [String(s.key.accountId), String(s.key.conversationId), s.sessionId, s.mode, String(s.generation), String(s.turnCount), time(s.createdAt), s.lastUsedAt === null ? '—' : time(s.lastUsedAt)];
}

function time(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

async function reset(io: CliIo, args: ParsedArgs, positionals: string[]): Promise<number> {
  if (positionals.length !== 2) throw new CliError('usage: chatwoot-hermes-bot sessions reset <account-id> <conversation-id>', 2);
  const key = { accountId: parseId(positionals[0], 'The account id'), conversationId: parseId(positionals[1], 'The conversation id') };
  return withStore(io, { mustExist: true }, async ({ store }) => {
    const before = await store.getSession(key);
    if (!before) {
      io.err(`${MARK.fail} Conversation ${key.conversationId} of account ${key.accountId} has no Hermes session yet; nothing to reset (see: chatwoot-hermes-bot sessions).`);
      return 1;
    }
    const after = await new SessionRunner(store).reset(key);
    if (wantsJson(args)) {
      printJson(io, { ...key, sessionId: after.sessionId, previousSessionId: before.sessionId, previousTurns: before.turnCount });
      return 0;
    }
    io.out(`${MARK.ok} Conversation ${key.conversationId} of account ${key.accountId} starts a fresh Hermes session with its next message: ${after.sessionId} (was ${before.sessionId}, ${before.turnCount} turn${before.turnCount === 1 ? '' : 's'}).`);
    return 0;
  });
}

async function importWebhook(io: CliIo, args: ParsedArgs, positionals: string[]): Promise<number> {
  if (positionals.length !== 1) throw new CliError('usage: chatwoot-hermes-bot sessions import-webhook <inbox-id> [--route name] [--account id]', 2);
  const inboxId = parseId(positionals[0], 'The inbox id');
  const route = stringOption(args, 'route') ?? webhookRoute(inboxId);
  const rawAccount = stringOption(args, 'account') ?? io.env.CHATWOOT_ACCOUNT_ID?.trim();
  const accountId = rawAccount ? parseId(rawAccount, 'The account id') : null;
  const url = io.env.HERMES_URL?.trim().replace(/\/+$/, '');
  const apiKey = io.env.HERMES_API_KEY?.trim();
  if (!url || !apiKey) throw new CliError('Set HERMES_URL and HERMES_API_KEY (the Hermes that served the webhook route), in the environment or .env.', 2);
  return withStore(io, { mustExist: false }, async ({ store, where }) => {
    let result;
    try {
      result = await importWebhookSessions({ hermes: new HermesClient({ baseUrl: url, apiKey }), store, route, accountId });
    } catch (error) {
      if (!(error instanceof HermesError)) throw error;
      io.err(`${MARK.fail} ${error.message}`);
      return 1;
    }
    if (wantsJson(args)) {
      printJson(io, {
        route,
        store: where,
        imported: result.imported.map((i) => ({ ...i.key, sessionId: i.sessionId, olderSessions: i.olderSessions })),
        kept: result.kept,
        unmatched: result.unmatched,
      });
      return 0;
    }
    for (const i of result.imported) {
      const older = i.olderSessions > 0 ? ` (${i.olderSessions} older session${i.olderSessions === 1 ? '' : 's'} of it stay in Hermes, unread)` : '';
      io.out(`${MARK.ok} Conversation ${i.key.conversationId} of account ${i.key.accountId} continues Hermes session ${i.sessionId}${older}`);
    }
    for (const k of result.kept) io.out(`- Conversation ${k.conversationId} of account ${k.accountId} already has a session in the bot: left as it is`);
    if (result.unmatched.length > 0) {
      io.err(
        `${MARK.warn} ${result.unmatched.length} session${result.unmatched.length === 1 ? '' : 's'} of route ${route} name no conversation${accountId === null ? ' or no account (pass --account)' : ''}: ${result.unmatched.join(', ')}`,
      );
    }
    io.out(`${result.imported.length} conversation${result.imported.length === 1 ? '' : 's'} of route ${route} imported into the bot's store (${where}).`);
    return 0;
  });
}
