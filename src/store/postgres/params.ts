import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * Collects a statement's parameters as SQL is built; each placeholder carries its type (an INSERT …
 * SELECT gives Postgres no column to infer it from, nor does a value inside json_build_object).
 */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown, type: string): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}

/**
 * A rule's snapshot as one SQL expression (a json value) and how to read it back. It runs alone
 * (`SELECT expression`) or inside the statement that writes a decision, evaluated only when that
 * write did not apply, so a lost race brings its fresh rows back in the same round trip.
 */
export interface SnapshotQuery<S> {
  expression(p: Params): string;
  parse(value: unknown): S;
}

/**
 * `text` as a named prepared statement: each connection parses and plans a statement shape once, then
 * only binds and runs it. The rules' statements are built from their writes, so their text is long
 * (data-modifying CTEs, a json snapshot) but comes in a small, fixed set of shapes — one per
 * combination of write kinds and conversation columns. Measured (bench ack, Postgres, 500
 * webhooks/s): planning them on every execution made the database the bottleneck at ~2 ms of its
 * CPU per webhook. The name is the text's digest, so one name never stands for two texts.
 *
 * Only for statements whose result columns do not follow a table's (json values, named columns):
 * Postgres replans a prepared statement when a migration changes a table it reads, but refuses to run
 * one whose result row would change shape ("cached plan must not change result type"), which a
 * `SELECT *` on an instance still running during a rolling deploy would hit.
 */
export function prepared(text: string, values: unknown[]): pg.QueryConfig {
  return { name: `chb_${createHash('sha1').update(text).digest('base64url')}`, text, values };
}
