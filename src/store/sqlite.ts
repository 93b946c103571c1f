import { closeSync, fdatasync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { decideAccept } from '../rules/accept.js';
import { SQLITE_MIGRATIONS } from './migrations/sqlite.js';
import { sqliteFile } from './sqlite/file.js';
import { SqliteStoreMethods } from './sqlite/methods.js';
import type { Row, Sql } from './sqlite/rows.js';
import { sqliteRows } from './sqlite/snapshots.js';
import type { AcceptResult, DebouncePolicy, StoredEvent } from './store.js';

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
export class SqliteStore extends SqliteStoreMethods {
  protected readonly db: Database.Database;
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
    return new SqliteStore(sqliteFile(dataDir));
  }

  constructor(file: string) {
    super();
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
  protected readonly sql: Sql = (text) => this.prepared(text);

  private prepared(text: string): Database.Statement {
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
  protected durable(): Promise<void> {
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

  /** The conversation rules (src/rules/accept.ts) over the rows they read, in the caller's transaction. */
  private applyAccept(event: StoredEvent, policy: DebouncePolicy, now: number): AcceptResult {
    const rows = sqliteRows(this.sql);
    const decision = decideAccept(rows.acceptRows(event), event, policy, now);
    rows.apply(decision.writes);
    return decision.result;
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
