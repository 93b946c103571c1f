import type pg from 'pg';

/** Where a statement can run: the pool (a statement is its own transaction) or a transaction's client. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;
