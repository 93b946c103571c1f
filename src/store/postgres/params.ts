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
