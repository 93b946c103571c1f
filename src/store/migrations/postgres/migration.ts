/** One version of the Postgres schema: applied once, in its own transaction, recorded in schema_migrations. */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}
