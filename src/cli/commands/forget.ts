import type { ConversationKey } from '../../domain/conversation.js';
import type { ErasedCounts } from '../../domain/privacy.js';
import { HermesClient } from '../../hermes/client.js';
import { parseId } from '../args.js';
import { CliError, stringOption, type CliIo, type Command } from '../command.js';
import { forgetConversation, type ForgetReport } from '../forget/erase.js';
import { MARK } from '../format.js';
import { withStore } from '../store.js';

/** A turn may take HERMES_TIMEOUT_MS (default 120 s) and then post: wait that long and a margin. */
const WAIT_MARGIN_MS = 15_000;

export const forget: Command = {
  name: 'forget',
  summary: "Erase what the bot keeps of a contact or a conversation, and its Hermes sessions (erasure on request)",
  synopsis: '--contact <contact-id> | --conversation <account-id> <conversation-id>',
  details: [
    "Erases the personal data the bot's store holds (messages, attachment URLs and transcripts, replies,",
    "contact name) and deletes the conversations' Hermes sessions through Hermes' API (DELETE /api/sessions/{id}).",
    'Bare ids stay, so a message Chatwoot delivers again is still not answered twice; the bot stays out of a',
    'forgotten conversation from then on. A turn the running bot has in flight for it is stopped first',
    '(see README → Data the bot keeps). Safe to run twice; an id the store does not know is an error.',
    'The contact id is the number in the contact\'s Chatwoot address (…/contacts/3120).',
    '',
    'Examples:',
    '  chatwoot-hermes-bot forget --contact 3120',
    '  chatwoot-hermes-bot forget --conversation 1 1042',
  ].join('\n'),
  options: {
    contact: { type: 'string', value: 'id', help: 'Every conversation of this Chatwoot contact' },
    conversation: { type: 'boolean', help: 'One conversation: --conversation <account-id> <conversation-id>' },
    'wait-ms': { type: 'string', value: 'ms', help: 'How long to wait for a turn in flight (default HERMES_TIMEOUT_MS + 15000)' },
  },
  async run(io, args) {
    const contact = stringOption(args, 'contact');
    const one = args.values.conversation === true;
    if ((contact === undefined) === !one) throw new CliError('usage: chatwoot-hermes-bot forget --contact <contact-id> | --conversation <account-id> <conversation-id>', 2);
    if (one && args.positionals.length !== 2) throw new CliError('usage: chatwoot-hermes-bot forget --conversation <account-id> <conversation-id>', 2);
    if (!one && args.positionals.length > 0) throw new CliError(`unexpected argument "${args.positionals[0]}" (usage: chatwoot-hermes-bot forget --contact <contact-id>)`, 2);
    const hermesUrl = io.env.HERMES_URL?.trim();
    const hermesKey = io.env.HERMES_API_KEY?.trim();
    if (!hermesUrl || !hermesKey) throw new CliError('Set HERMES_URL and HERMES_API_KEY (the Hermes the bot uses), in the environment or .env: forget deletes the Hermes sessions too.', 2);
    const waitMs = Number(stringOption(args, 'wait-ms') ?? Number(io.env.HERMES_TIMEOUT_MS?.trim() || 120_000) + WAIT_MARGIN_MS);
    if (!Number.isFinite(waitMs) || waitMs < 0) throw new CliError('--wait-ms must be a number of milliseconds', 2);

    return withStore(io, { mustExist: true }, async ({ store, where }) => {
      let keys: ConversationKey[];
      if (one) {
        keys = [{ accountId: parseId(args.positionals[0], 'The account id'), conversationId: parseId(args.positionals[1], 'The conversation id') }];
      } else {
        keys = await store.conversationsOfContact(parseId(contact, 'The contact id'));
        if (keys.length === 0) {
          io.err(`${MARK.fail} The bot's store (${where}) holds no conversation of contact ${contact}: nothing erased. Check the id in the contact's Chatwoot address.`);
          return 1;
        }
      }
      const hermesFor = (stored: Record<string, unknown> | null) => {
        const own = typeof stored?.hermesUrl === 'string' && typeof stored?.hermesApiKey === 'string';
        return new HermesClient({ baseUrl: own ? String(stored.hermesUrl) : hermesUrl, apiKey: own ? String(stored.hermesApiKey) : hermesKey });
      };
      let failed = false;
      for (const key of keys) {
        const report = await forgetConversation({ store, hermesFor, waitMs }, key);
        if (!report) {
          io.err(`${MARK.fail} The bot's store (${where}) holds nothing of conversation ${key.conversationId} of account ${key.accountId}: nothing erased. Check the ids in the conversation's Chatwoot address.`);
          failed = true;
          continue;
        }
        failed = printReport(io, report) || failed;
      }
      return failed ? 1 : 0;
    });
  },
};

/** Prints one conversation's report; true when something could not be done (run again later). */
function printReport(io: CliIo, r: ForgetReport): boolean {
  const name = `Conversation ${r.key.conversationId} of account ${r.key.accountId}`;
  const earlier = r.forgottenBefore === null ? '' : ` (already forgotten on ${new Date(r.forgottenBefore).toISOString().slice(0, 16).replace('T', ' ')} UTC)`;
  io.out(`${MARK.ok} ${name}: ${describeErased(r.erased)}${earlier}; the bot stays out of it from now on`);
  if (r.stoppedTurns > 0) io.out(`${MARK.warn} ${r.stoppedTurns} turn${r.stoppedTurns === 1 ? '' : 's'} still running were ended; if a bot was still asking Hermes, run forget again in a few minutes`);
  let failed = false;
  for (const s of r.sessions) {
    if (s.outcome === 'deleted') io.out(`${MARK.ok} Hermes session ${s.sessionId} deleted`);
    else if (s.outcome === 'absent') io.out(`${MARK.skip} Hermes session ${s.sessionId}: not in Hermes (never created, or deleted before)`);
    else {
      failed = true;
      io.err(`${MARK.fail} Hermes session ${s.sessionId} not deleted: ${s.problem}. Run forget again once Hermes answers.`);
    }
  }
  if (r.contactMemoryKey) {
    io.out(
      `${MARK.warn} Hermes has no API to erase the long-term memory this inbox keeps per contact (X-Hermes-Session-Key ${r.contactMemoryKey}): erase it on the Hermes host (README → Data the bot keeps)`,
    );
  }
  return failed;
}

function describeErased(e: ErasedCounts): string {
  const parts = [
    e.messages > 0 ? `${e.messages} message${e.messages === 1 ? '' : 's'}` : null,
    e.turns > 0 ? `${e.turns} repl${e.turns === 1 ? 'y' : 'ies'} or error${e.turns === 1 ? '' : 's'}` : null,
    e.outbox > 0 ? `${e.outbox} posted or planned text${e.outbox === 1 ? '' : 's'}` : null,
    e.conversations > 0 ? 'the contact name' : null,
  ].filter((p) => p !== null);
  return parts.length > 0 ? `erased ${parts.join(', ')}` : 'nothing left to erase';
}
