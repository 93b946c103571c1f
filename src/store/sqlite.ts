import { closeSync, fdatasync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { ConversationKey } from '../chatwoot/events.js';
import { SQLITE_MIGRATIONS } from './migrations/sqlite.js';
import type {
  AcceptResult,
  BotState,
  ConversationState,
  DebouncePolicy,
  OutboxPart,
  SessionMode,
  SessionRecord,
  Store,
  StoredEvent,
  Turn,
  TurnMessage,
  TurnOutcome,
} from './store.js';
import { HANDOFF_PARTS } from './store.js';
import { debouncedDueAt, turnIdFor } from './turn-id.js';

type Row = Record<string, unknown>;

/** An accept waiting for the next group commit. */
interface PendingAccept {
  event: StoredEvent;
  policy: DebouncePolicy;
  now: number;
  resolve: (result: AcceptResult) => void;
  reject: (error: unknown) => void;
}

/**
 * The embedded store: one SQLite file in WAL mode. A method's promise resolves only once what it
 * wrote is on disk: the webhook's 200 promises exactly that, and a turn posts nothing before its
 * `posting` mark is durable.
 *
 * How, without stalling the event loop on every fsync (the cost that dominates a write):
 * - Commits run with synchronous=NORMAL: SQLite appends the transaction to the WAL file and returns
 *   without syncing. Durability then comes from an fdatasync of the WAL file on the libuv thread pool
 *   (`durable()`), which every writing method awaits before it resolves. A sync covers every commit
 *   made before it started, so all the callers waiting at that moment share one sync, and the loop
 *   keeps serving webhooks and turns meanwhile. This is the per-commit WAL sync of synchronous=FULL,
 *   batched and moved off the main thread; checkpoints still sync the WAL before copying it and the
 *   database file after (SQLite does that itself in NORMAL mode). A failed sync poisons the store:
 *   every later call fails, /readyz answers 503, nothing is acknowledged on a disk that lost writes.
 *   Why for good: after a failed fsync Linux may mark the unwritten pages clean (PostgreSQL's
 *   "fsyncgate"), so the commits since the last good sync stay visible here while perhaps missing on
 *   disk, and Chatwoot's retry of such an event would be answered "duplicate".
 * - A full disk is not that. On the local filesystems the bot runs on (ext4, XFS, overlayfs, tmpfs)
 *   space is taken when the WAL is written, so it fails there with SQLITE_FULL: SQLite rolls the
 *   transaction back and keeps the connection usable, nothing of it is visible or acknowledged (the
 *   webhook answers 500 and Chatwoot retries), and the next write succeeds once there is room again —
 *   no restart (test/e2e/store-outage.test.ts). Only a filesystem that reports ENOSPC at sync time
 *   (NFS, thin-provisioned volumes) would take the failed-sync path above.
 * - Accepts are group-committed: every accept requested in one turn of the event loop (all the
 *   webhooks whose bodies arrived together) goes into ONE transaction, and all resolve after that
 *   transaction's sync. Should one of them fail, the batch is rolled back and re-run with a savepoint
 *   per accept, so a failure stays its own.
 * - Statements are prepared once per SQL text and reused (preparing cost more than running them).
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private pending: PendingAccept[] = [];
  private flushScheduled = false;
  /** The WAL file, opened for syncing on first need (it exists once something was written). */
  private walFd: number | null = null;
  private readonly walPath: string;
  private syncing = false;
  /** Callers waiting for the next sync (their commits may postdate the one in flight). */
  private syncWaiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  /** Set when a WAL sync failed: the store refuses all work from then on. */
  private failed: Error | null = null;
  /** One accept inside the group commit: a savepoint (better-sqlite3 nests transactions that way). */
  private readonly acceptOne: (event: StoredEvent, policy: DebouncePolicy, now: number) => AcceptResult;
  /**
   * The group commit. Optimistically without savepoints (an accept that throws then rolls the whole
   * batch back); `isolate` re-runs a batch that failed that way with one savepoint per accept.
   */
  private readonly commitAccepts: Database.Transaction<(batch: PendingAccept[], isolate: boolean) => Array<{ ok: true; result: AcceptResult } | { ok: false; error: unknown }>>;

  static open(dataDir: string): SqliteStore {
    mkdirSync(dataDir, { recursive: true });
    return new SqliteStore(join(dataDir, 'chatwoot-hermes-bot.sqlite'));
  }

  constructor(file: string) {
    this.db = new Database(file);
    this.walPath = `${file}-wal`;
    this.db.pragma('journal_mode = WAL');
    // Commits do not sync; durable() does, off the main thread (see the class comment).
    this.db.pragma('synchronous = NORMAL');
    // Checkpoints run inline (and sync); fewer, larger ones write each hot page once instead of many times.
    this.db.pragma('wal_autocheckpoint = 4000');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    this.acceptOne = this.db.transaction((event: StoredEvent, policy: DebouncePolicy, now: number) => this.applyAccept(event, policy, now));
    this.commitAccepts = this.db.transaction((batch: PendingAccept[], isolate: boolean) =>
      batch.map((item) => {
        if (!isolate) return { ok: true as const, result: this.applyAccept(item.event, item.policy, item.now) };
        try {
          return { ok: true as const, result: this.acceptOne(item.event, item.policy, item.now) };
        } catch (error) {
          return { ok: false as const, error };
        }
      }),
    );
  }

  /** The prepared statement for this SQL text, prepared on first use. */
  private sql(text: string): Database.Statement {
    if (this.failed) throw this.failed;
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    const applied = new Set((this.db.prepare('SELECT version FROM schema_migrations').all() as Row[]).map((r) => Number(r.version)));
    for (const m of SQLITE_MIGRATIONS) {
      if (applied.has(m.version)) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
      })();
    }
  }

  accept(event: StoredEvent, policy: DebouncePolicy, now: number): Promise<AcceptResult> {
    return new Promise<AcceptResult>((resolve, reject) => {
      if (!this.db.open) {
        reject(new Error('the store is closed'));
        return;
      }
      this.pending.push({ event, policy, now, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // After the poll phase: every webhook read in this loop turn joins the same commit.
        setImmediate(() => this.flushAccepts());
      }
    });
  }

  /** Commits the waiting accepts together; each resolves only once the commit is on disk. */
  private flushAccepts(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    let outcomes: ReturnType<typeof this.commitAccepts>;
    try {
      if (!this.db.open) throw new Error('the store is closed');
      try {
        outcomes = this.commitAccepts.immediate(batch, false);
      } catch (error) {
        // One accept failed (or the commit did): nothing of the batch was kept. Alone, it fails as it is;
        // together, each gets its own savepoint so the others still commit.
        if (batch.length === 1) throw error;
        outcomes = this.commitAccepts.immediate(batch, true);
      }
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    // Failures are answered at once (nothing of theirs was kept); successes once the commit is on disk.
    outcomes.forEach((outcome, i) => {
      if (!outcome.ok) batch[i]!.reject(outcome.error);
    });
    if (!outcomes.some((o) => o.ok)) return;
    this.durable().then(
      () =>
        outcomes.forEach((outcome, i) => {
          if (outcome.ok) batch[i]!.resolve(outcome.result);
        }),
      (error: unknown) =>
        outcomes.forEach((outcome, i) => {
          if (outcome.ok) batch[i]!.reject(error);
        }),
    );
  }

  /**
   * Resolves once everything committed so far is on disk: one fdatasync of the WAL on the thread
   * pool, shared by every caller waiting when it starts; callers arriving during a sync get the next.
   */
  private durable(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise<void>((resolve, reject) => {
      this.syncWaiters.push({ resolve, reject });
      if (!this.syncing) this.startSync();
    });
  }

  private startSync(): void {
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    let fd: number | null;
    try {
      fd = this.walDescriptor();
    } catch (error) {
      this.poison(error);
      for (const w of waiters) w.reject(this.failed);
      return;
    }
    if (fd === null) {
      // No WAL file: nothing was written since the last checkpoint, which SQLite synced itself.
      for (const w of waiters) w.resolve();
      return;
    }
    this.syncing = true;
    fdatasync(fd, (error) => {
      this.syncing = false;
      if (error) this.poison(error);
      for (const w of waiters) {
        if (this.failed) w.reject(this.failed);
        else w.resolve();
      }
      if (this.syncWaiters.length > 0) this.startSync();
    });
  }

  private walDescriptor(): number | null {
    if (this.walFd === null) {
      try {
        this.walFd = openSync(this.walPath, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
      // A WAL file created by this process must also be found after a crash: sync its directory entry once.
      const dir = openSync(dirname(this.walPath), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    }
    return this.walFd;
  }

  private poison(error: unknown): void {
    // Not cleared by a later successful sync: that sync would not rewrite the pages the failed one lost.
    this.failed ??= new Error(`the SQLite store cannot sync its write-ahead log (${error instanceof Error ? error.message : String(error)}): writes may be lost, refusing all work; restart the bot`);
  }

  private applyAccept(event: StoredEvent, policy: DebouncePolicy, now: number): AcceptResult {
    if (event.kind === 'customer_message') {
      // A customer's message is its own dedupe key (Chatwoot retries resend the same message id), so
      // it needs no deliveries row: that row, keyed by a random UUID, dirtied a random index page per
      // webhook and was the costliest part of the intake's commit.
      const seen = this.sql('SELECT 1 FROM messages WHERE account_id = ? AND message_id = ?').get(event.key.accountId, event.message.messageId);
      if (seen !== undefined) return { outcome: 'duplicate' };
    } else if (event.deliveryId !== null) {
      const inserted = this.sql('INSERT OR IGNORE INTO deliveries (delivery_id, received_at) VALUES (?, ?)').run(event.deliveryId, now);
      if (inserted.changes === 0) return { outcome: 'duplicate' };
    }
    const { accountId, conversationId } = event.key;
    const inboxId = 'inboxId' in event ? event.inboxId : event.kind === 'customer_message' ? event.message.inboxId : null;
    const conv = this.upsertConversation(event.key, inboxId, event.status, now);

    switch (event.kind) {
      case 'customer_message': {
        const m = event.message;
        // pending + bot active → a turn; bot silenced → kept for the hand-back: `held` if the customer
        // wrote while it was pending (may belong to the next bot phase), `context` if humans had it open.
        const state = conv.bot_state === 'active' ? (event.status === 'pending' ? 'pending' : null) : event.status === 'pending' ? 'held' : 'context';
        if (state === null) return { outcome: 'ignored', reason: `conversation is ${event.status}: humans own it` };
        // A plain INSERT: the message id was checked above, in this same transaction.
        this.sql(
          `INSERT INTO messages (account_id, message_id, conversation_id, inbox_id, role, text, attachments, created_at, received_at, awaiting_transcript, state)
           VALUES (?, ?, ?, ?, 'customer', ?, ?, ?, ?, ?, ?)`,
        ).run(accountId, m.messageId, conversationId, m.inboxId, m.text, JSON.stringify(m.attachments), m.createdAt, now, awaitsTranscript(m.attachments) ? 1 : 0, state);
        if (state !== 'pending') {
          this.sql('UPDATE conversations SET last_customer_at = ?, contact_id = COALESCE(?, contact_id), contact_name = COALESCE(?, contact_name) WHERE account_id = ? AND conversation_id = ?').run(
            now,
            m.contactId,
            m.contactName,
            accountId,
            conversationId,
          );
          return { outcome: 'stored', dueAt: null, note: `bot silenced (${String(conv.bot_state)}): kept as context` };
        }
        // The hot path of intake: the contact, the last customer message time and the new due time in one write.
        const dueAt = this.pendingDueAt(event.key, now, policy);
        this.sql(
          'UPDATE conversations SET last_customer_at = ?, contact_id = COALESCE(?, contact_id), contact_name = COALESCE(?, contact_name), due_at = ? WHERE account_id = ? AND conversation_id = ?',
        ).run(
          now,
          m.contactId,
          m.contactName,
          dueAt,
          accountId,
          conversationId,
        );
        return { outcome: 'stored', dueAt };
      }
      case 'takeover': {
        this.sql(
          `INSERT OR IGNORE INTO messages (account_id, message_id, conversation_id, inbox_id, role, text, received_at, state)
           VALUES (?, ?, ?, ?, 'agent', ?, ?, 'context')`,
        ).run(accountId, event.messageId, conversationId, event.inboxId, event.content, now);
        // An explicit pause (agent command) outranks the automatic silence: it ends only by /bot resume.
        this.sql(
          `UPDATE conversations SET bot_state = 'human', state_reason = ?, state_changed_at = ?,
             left_pending_at = CASE WHEN ? = 'pending' THEN NULL ELSE ? END
           WHERE account_id = ? AND conversation_id = ? AND bot_state != 'paused'`,
        ).run(event.by === 'agent' ? 'an agent replied' : 'a reply was sent from the WhatsApp phone', now, event.status, now, accountId, conversationId);
        return { outcome: 'stored', dueAt: null, note: 'bot silenced: human took over' };
      }
      case 'transcript': {
        const row = this.sql('SELECT attachments, state FROM messages WHERE account_id = ? AND message_id = ?').get(accountId, event.messageId) as Row | undefined;
        if (!row) return { outcome: 'stored', dueAt: null, note: 'transcript for a message the bot does not hold' };
        const attachments = (JSON.parse(String(row.attachments)) as Array<Record<string, unknown>>).map((a) =>
          a.file_type === 'audio' ? { ...a, transcribed_text: event.transcript } : a,
        );
        this.sql('UPDATE messages SET attachments = ?, awaiting_transcript = 0 WHERE account_id = ? AND message_id = ?').run(JSON.stringify(attachments), accountId, event.messageId);
        if (row.state !== 'pending') return { outcome: 'stored', dueAt: null, note: `transcript arrived after the message was ${String(row.state)}` };
        return { outcome: 'stored', dueAt: this.reschedule(event.key, now, policy), note: 'transcript added' };
      }
      case 'bot_echo': {
        // Chatwoot's echo of our own post is a second witness that a part was delivered (see outbox).
        const byId = this.sql(`UPDATE outbox SET state = 'posted', posted_at = COALESCE(posted_at, ?) WHERE account_id = ? AND conversation_id = ? AND chatwoot_message_id = ? AND state != 'posted'`).run(now, accountId, conversationId, event.messageId);
        if (byId.changes === 0) {
          const ambiguous = this.sql(`SELECT turn_id, part FROM outbox WHERE account_id = ? AND conversation_id = ? AND state = 'posting' AND content = ? ORDER BY attempted_at LIMIT 1`).get(accountId, conversationId, event.content) as Row | undefined;
          if (ambiguous) {
            this.sql(`UPDATE outbox SET state = 'posted', chatwoot_message_id = ?, posted_at = ? WHERE turn_id = ? AND part = ?`).run(event.messageId, now, ambiguous.turn_id, ambiguous.part);
            return { outcome: 'stored', dueAt: null, note: 'echo confirmed an ambiguous post' };
          }
        }
        return { outcome: 'stored', dueAt: null };
      }
      case 'status':
        return this.applyStatus(event.key, conv, event.status, now, policy);
    }
  }

  /** Creates or refreshes the conversation's row; returns what intake decides on (its state after the write). */
  private upsertConversation(key: ConversationKey, inboxId: number | null, status: string, now: number): Row {
    return this.sql(
      `INSERT INTO conversations (account_id, conversation_id, inbox_id, last_status, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account_id, conversation_id) DO UPDATE SET
         inbox_id = COALESCE(excluded.inbox_id, inbox_id), last_status = excluded.last_status, updated_at = excluded.updated_at
       RETURNING bot_state, left_pending_at`,
    ).get(key.accountId, key.conversationId, inboxId, status, now) as Row;
  }

  private conversationRow(key: ConversationKey): Row | undefined {
    return this.sql('SELECT * FROM conversations WHERE account_id = ? AND conversation_id = ?').get(key.accountId, key.conversationId) as
      | Row
      | undefined;
  }

  /** Moves due_at to the debounced time of the conversation's pending messages; returns it (null: none pending). */
  private reschedule(key: ConversationKey, now: number, policy: DebouncePolicy): number | null {
    const dueAt = this.pendingDueAt(key, now, policy);
    this.sql('UPDATE conversations SET due_at = ? WHERE account_id = ? AND conversation_id = ?').run(dueAt, key.accountId, key.conversationId);
    return dueAt;
  }

  /** The debounced time of the conversation's pending messages (null: none pending). */
  private pendingDueAt(key: ConversationKey, now: number, policy: DebouncePolicy): number | null {
    const first = this.sql(
      `SELECT MIN(received_at) AS first, MAX(CASE WHEN awaiting_transcript = 1 THEN received_at END) AS audio
       FROM messages WHERE account_id = ? AND conversation_id = ? AND state = 'pending'`,
    ).get(key.accountId, key.conversationId) as Row;
    let dueAt = first.first == null ? null : debouncedDueAt(Number(first.first), now, policy);
    // A voice note's transcript follows in message_updated a few seconds later: wait for it, bounded.
    if (dueAt !== null && first.audio != null && policy.voiceWaitMs) dueAt = Math.max(dueAt, Number(first.audio) + policy.voiceWaitMs);
    return dueAt;
  }

  /**
   * A silenced conversation resumes once it has left `pending` and come back. Customer messages that
   * arrived (with status pending) after it left `pending` belong to the new bot phase: Chatwoot sends
   * events in parallel, so the customer's message can overtake the status event that reopened it.
   */
  private applyStatus(key: ConversationKey, conv: Row, status: string, now: number, policy: DebouncePolicy): AcceptResult {
    if (conv.bot_state === 'active' || conv.bot_state === 'paused') return { outcome: 'stored', dueAt: null };
    if (status !== 'pending') {
      if (conv.left_pending_at == null) {
        this.sql('UPDATE conversations SET left_pending_at = ? WHERE account_id = ? AND conversation_id = ?').run(now, key.accountId, key.conversationId);
      }
      return { outcome: 'stored', dueAt: null };
    }
    if (conv.left_pending_at == null) return { outcome: 'stored', dueAt: null, note: 'still silenced: conversation has not left pending since the takeover' };
    this.sql(
      `UPDATE conversations SET bot_state = 'active', state_reason = 'conversation returned to pending', state_changed_at = ?, left_pending_at = NULL
       WHERE account_id = ? AND conversation_id = ?`,
    ).run(now, key.accountId, key.conversationId);
    this.sql(`UPDATE messages SET state = 'pending' WHERE account_id = ? AND conversation_id = ? AND state = 'held' AND received_at >= ?`).run(key.accountId, key.conversationId, conv.left_pending_at);
    return { outcome: 'stored', dueAt: this.reschedule(key, now, policy), note: 'bot resumed' };
  }

  async listDue(): Promise<Array<{ key: ConversationKey; dueAt: number }>> {
    const rows = this.sql(
      `SELECT account_id, conversation_id, due_at FROM conversations WHERE due_at IS NOT NULL
       UNION
       SELECT account_id, conversation_id, 0 FROM turns WHERE state = 'running'`,
    ).all() as Row[];
    const due = new Map<string, { key: ConversationKey; dueAt: number }>();
    for (const r of rows) {
      const key = { accountId: Number(r.account_id), conversationId: Number(r.conversation_id) };
      const id = `${key.accountId}/${key.conversationId}`;
      const dueAt = Number(r.due_at);
      const seen = due.get(id);
      if (!seen || dueAt < seen.dueAt) due.set(id, { key, dueAt });
    }
    return [...due.values()].sort((a, b) => a.dueAt - b.dueAt);
  }

  async takeTurn(key: ConversationKey, now: number): Promise<{ turn: Turn } | { turn: null; nextDueAt: number | null }> {
    const taken = this.db.transaction((): { turn: Turn } | { turn: null; nextDueAt: number | null } => {
      const open = this.sql(`SELECT * FROM turns WHERE account_id = ? AND conversation_id = ? AND state = 'running' ORDER BY created_at LIMIT 1`).get(key.accountId, key.conversationId) as Row | undefined;
      if (open) {
        this.sql('UPDATE turns SET attempts = attempts + 1 WHERE id = ?').run(open.id);
        return { turn: this.loadTurn(open, Number(open.attempts) + 1) };
      }
      const conv = this.conversationRow(key);
      const pending = this.sql(`SELECT * FROM messages WHERE account_id = ? AND conversation_id = ? AND state = 'pending' ORDER BY message_id`).all(key.accountId, key.conversationId) as Row[];
      if (!conv || pending.length === 0) {
        if (conv) this.sql('UPDATE conversations SET due_at = NULL WHERE account_id = ? AND conversation_id = ?').run(key.accountId, key.conversationId);
        return { turn: null, nextDueAt: null };
      }
      const dueAt = conv.due_at == null ? now : Number(conv.due_at);
      if (dueAt > now) return { turn: null, nextDueAt: dueAt };

      const ids = pending.map((m) => Number(m.message_id));
      const id = turnIdFor(key, ids);
      this.sql(
        `INSERT INTO turns (id, account_id, conversation_id, inbox_id, message_ids, state, attempts, created_at) VALUES (?, ?, ?, ?, ?, 'running', 1, ?)`,
      ).run(id, key.accountId, key.conversationId, conv.inbox_id ?? null, JSON.stringify(ids), now);
      const mark = this.sql(`UPDATE messages SET state = 'in_turn', turn_id = ? WHERE account_id = ? AND message_id = ?`);
      for (const mid of ids) mark.run(id, key.accountId, mid);
      // What was said while the bot was silent travels with this turn, once, as hand-back context.
      this.sql(`UPDATE messages SET state = 'shared', turn_id = ? WHERE account_id = ? AND conversation_id = ? AND state IN ('context', 'held')`).run(id, key.accountId, key.conversationId);
      this.sql('UPDATE conversations SET due_at = NULL WHERE account_id = ? AND conversation_id = ?').run(key.accountId, key.conversationId);
      const turnRow = this.sql('SELECT * FROM turns WHERE id = ?').get(id) as Row;
      return { turn: this.loadTurn(turnRow, 1) };
    }).immediate();
    await this.durable();
    return taken;
  }

  private loadTurn(row: Row, attempt: number): Turn {
    const rows = this.sql('SELECT * FROM messages WHERE turn_id = ? ORDER BY message_id').all(row.id) as Row[];
    const toMessage = (m: Row): TurnMessage => ({
      messageId: Number(m.message_id),
      role: m.role === 'agent' ? 'agent' : 'customer',
      text: String(m.text),
      attachments: JSON.parse(String(m.attachments)),
      receivedAt: Number(m.received_at),
      createdAt: m.created_at == null ? null : String(m.created_at),
    });
    return {
      id: String(row.id),
      key: { accountId: Number(row.account_id), conversationId: Number(row.conversation_id) },
      inboxId: row.inbox_id == null ? null : Number(row.inbox_id),
      messages: rows.filter((m) => m.state !== 'shared').map(toMessage),
      context: rows.filter((m) => m.state === 'shared').map(toMessage),
      attempt,
      reply: row.reply == null ? null : String(row.reply),
      createdAt: Number(row.created_at),
    };
  }

  async getConversation(key: ConversationKey): Promise<ConversationState | null> {
    const r = this.conversationRow(key);
    if (!r) return null;
    return {
      key,
      inboxId: r.inbox_id == null ? null : Number(r.inbox_id),
      contactId: r.contact_id == null ? null : Number(r.contact_id),
      contactName: r.contact_name == null ? null : String(r.contact_name),
      lastStatus: r.last_status == null ? null : String(r.last_status),
      botState: String(r.bot_state) as BotState,
      stateReason: r.state_reason == null ? null : String(r.state_reason),
      lastCustomerAt: r.last_customer_at == null ? null : Number(r.last_customer_at),
      emptyStreak: Number(r.empty_streak ?? 0),
    };
  }

  async setBotState(key: ConversationKey, state: BotState, reason: string, now: number): Promise<void> {
    this.sql(
      `INSERT INTO conversations (account_id, conversation_id, bot_state, state_reason, state_changed_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, conversation_id) DO UPDATE SET bot_state = excluded.bot_state, state_reason = excluded.state_reason,
         state_changed_at = excluded.state_changed_at, left_pending_at = NULL, updated_at = excluded.updated_at`,
    ).run(key.accountId, key.conversationId, state, reason, now, now);
    await this.durable();
  }

  async bumpEmptyStreak(key: ConversationKey): Promise<number> {
    const row = this.sql('UPDATE conversations SET empty_streak = empty_streak + 1 WHERE account_id = ? AND conversation_id = ? RETURNING empty_streak').get(key.accountId, key.conversationId) as Row | undefined;
    await this.durable();
    return Number(row?.empty_streak ?? 1);
  }

  async recentBotReplies(key: ConversationKey, limit: number): Promise<string[]> {
    const rows = this.sql(
      `SELECT content FROM outbox WHERE account_id = ? AND conversation_id = ? AND state = 'posted' AND private = 0 AND part < ?
       ORDER BY posted_at DESC, part DESC LIMIT ?`,
    ).all(key.accountId, key.conversationId, HANDOFF_PARTS.fallback, limit) as Row[];
    return rows.map((r) => String(r.content)).reverse();
  }

  async lastTurn(key: ConversationKey): Promise<{ id: string; state: string; error: string | null; createdAt: number; finishedAt: number | null } | null> {
    const r = this.sql('SELECT id, state, error, created_at, finished_at FROM turns WHERE account_id = ? AND conversation_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1').get(key.accountId, key.conversationId) as Row | undefined;
    if (!r) return null;
    return { id: String(r.id), state: String(r.state), error: r.error == null ? null : String(r.error), createdAt: Number(r.created_at), finishedAt: r.finished_at == null ? null : Number(r.finished_at) };
  }

  async getInboxSettings(inboxId: number): Promise<Record<string, unknown> | null> {
    const r = this.sql('SELECT settings FROM inbox_settings WHERE inbox_id = ?').get(inboxId) as Row | undefined;
    return r ? (JSON.parse(String(r.settings)) as Record<string, unknown>) : null;
  }

  async saveInboxSettings(inboxId: number, settings: Record<string, unknown>, now: number): Promise<void> {
    this.sql(
      `INSERT INTO inbox_settings (inbox_id, settings, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (inbox_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
    ).run(inboxId, JSON.stringify(settings), now);
    await this.durable();
  }

  async listInboxSettings(): Promise<Array<{ inboxId: number; settings: Record<string, unknown> }>> {
    const rows = this.sql('SELECT inbox_id, settings FROM inbox_settings ORDER BY inbox_id').all() as Row[];
    return rows.map((r) => ({ inboxId: Number(r.inbox_id), settings: JSON.parse(String(r.settings)) as Record<string, unknown> }));
  }

  async getSession(key: ConversationKey): Promise<SessionRecord | null> {
    const r = this.sql('SELECT * FROM sessions WHERE account_id = ? AND conversation_id = ?').get(key.accountId, key.conversationId) as Row | undefined;
    return r ? toSession(r) : null;
  }

  async saveSession(key: ConversationKey, s: { sessionId: string; mode: SessionMode; generation: number }, now: number): Promise<SessionRecord> {
    this.sql(
      `INSERT INTO sessions (account_id, conversation_id, session_id, mode, generation, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, conversation_id) DO UPDATE SET
         session_id = excluded.session_id, mode = excluded.mode,
         created_at = CASE WHEN excluded.generation != sessions.generation THEN excluded.created_at ELSE sessions.created_at END,
         turn_count = CASE WHEN excluded.generation != sessions.generation THEN 0 ELSE sessions.turn_count END,
         generation = excluded.generation`,
    ).run(key.accountId, key.conversationId, s.sessionId, s.mode, s.generation, now);
    await this.durable();
    return (await this.getSession(key))!;
  }

  async listSessions(filter: Partial<ConversationKey> = {}): Promise<SessionRecord[]> {
    const rows = this.sql(
      `SELECT * FROM sessions WHERE (? IS NULL OR account_id = ?) AND (? IS NULL OR conversation_id = ?) ORDER BY account_id, conversation_id`,
    ).all(filter.accountId ?? null, filter.accountId ?? null, filter.conversationId ?? null, filter.conversationId ?? null) as Row[];
    return rows.map(toSession);
  }

  async planParts(turnId: string, reply: string | null, parts: Array<{ part: number; content: string; private: boolean }>): Promise<OutboxPart[]> {
    this.db.transaction(() => {
      const turn = this.sql('SELECT account_id, conversation_id FROM turns WHERE id = ?').get(turnId) as Row | undefined;
      if (!turn) throw new Error(`unknown turn ${turnId}`);
      if (reply !== null) this.sql('UPDATE turns SET reply = ? WHERE id = ?').run(reply, turnId);
      const insert = this.sql(
        `INSERT OR IGNORE INTO outbox (turn_id, part, account_id, conversation_id, content, private, state) VALUES (?, ?, ?, ?, ?, ?, 'planned')`,
      );
      for (const p of parts) insert.run(turnId, p.part, turn.account_id, turn.conversation_id, p.content, p.private ? 1 : 0);
    }).immediate();
    await this.durable();
    return this.getOutbox(turnId);
  }

  async setPartState(turnId: string, part: number, state: 'posting' | 'posted' | 'failed', now: number, chatwootMessageId: number | null = null): Promise<boolean> {
    const moved = this.sql(
      `UPDATE outbox SET state = ?,
         attempted_at = CASE WHEN ? = 'posting' THEN ? ELSE attempted_at END,
         posted_at = CASE WHEN ? = 'posted' THEN ? ELSE posted_at END,
         chatwoot_message_id = COALESCE(?, chatwoot_message_id)
       WHERE turn_id = ? AND part = ? AND state != 'posted' AND (? != 'posting' OR state IN ('planned', 'failed'))`,
    ).run(state, state, now, state, now, chatwootMessageId, turnId, part, state).changes;
    // `posting` must be on disk before the POST leaves: it is what stops a second post after a crash.
    await this.durable();
    return moved > 0;
  }

  async getOutbox(turnId: string): Promise<OutboxPart[]> {
    const rows = this.sql('SELECT * FROM outbox WHERE turn_id = ? ORDER BY part').all(turnId) as Row[];
    return rows.map((r) => ({
      turnId: String(r.turn_id),
      part: Number(r.part),
      content: String(r.content),
      private: Number(r.private) === 1,
      state: String(r.state) as OutboxPart['state'],
      chatwootMessageId: r.chatwoot_message_id == null ? null : Number(r.chatwoot_message_id),
    }));
  }

  async finishTurn(turnId: string, outcome: TurnOutcome, now: number, error?: string): Promise<void> {
    this.db.transaction(() => {
      const turn = this.sql('SELECT account_id, conversation_id FROM turns WHERE id = ?').get(turnId) as Row | undefined;
      if (!turn) return;
      this.sql(`UPDATE turns SET state = ?, error = ?, finished_at = ? WHERE id = ? AND state = 'running'`).run(outcome, error ?? null, now, turnId);
      const messageState = outcome === 'delivered' ? 'answered' : outcome === 'skipped' ? 'skipped' : 'failed';
      this.sql(`UPDATE messages SET state = ? WHERE turn_id = ? AND state != 'shared'`).run(messageState, turnId);
      if (outcome === 'delivered') {
        this.sql('UPDATE sessions SET turn_count = turn_count + 1, last_used_at = ? WHERE account_id = ? AND conversation_id = ?').run(now, turn.account_id, turn.conversation_id);
        this.sql('UPDATE conversations SET empty_streak = 0 WHERE account_id = ? AND conversation_id = ?').run(turn.account_id, turn.conversation_id);
      }
    }).immediate();
    await this.durable();
  }

  async ping(): Promise<void> {
    this.sql('SELECT 1').get();
    this.sql('INSERT OR REPLACE INTO schema_migrations (version, name, applied_at) SELECT version, name, applied_at FROM schema_migrations WHERE version = 1').run();
    // Readiness means "can write durably": this waits for (and proves) a WAL sync.
    await this.durable();
  }

  async prune(olderThan: number): Promise<number> {
    const removed = this.sql('DELETE FROM deliveries WHERE received_at < ?').run(olderThan).changes;
    await this.durable();
    return removed;
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    // Accepts still waiting for their group commit are committed (and synced) before closing.
    this.flushAccepts();
    while (this.syncing || this.syncWaiters.length > 0) await new Promise((resolve) => setImmediate(resolve));
    this.db.close(); // the last connection checkpoints the WAL into the database file, synced
    if (this.walFd !== null) closeSync(this.walFd);
    this.walFd = null;
  }
}

function awaitsTranscript(attachments: Array<{ file_type?: string | undefined; transcribed_text?: string | null | undefined }>): boolean {
  return attachments.some((a) => a.file_type === 'audio' && !(a.transcribed_text ?? '').trim());
}

function toSession(r: Row): SessionRecord {
  return {
    key: { accountId: Number(r.account_id), conversationId: Number(r.conversation_id) },
    sessionId: String(r.session_id),
    mode: String(r.mode) as SessionMode,
    generation: Number(r.generation),
    createdAt: Number(r.created_at),
    lastUsedAt: r.last_used_at == null ? null : Number(r.last_used_at),
    turnCount: Number(r.turn_count),
  };
}
