/** What every SQL function of db/sql runs on: the pool, or one client inside a transaction. */
import type pg from 'pg';

export type Queryable = pg.Pool | pg.PoolClient;
