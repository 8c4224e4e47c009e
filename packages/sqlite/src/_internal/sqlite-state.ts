import type { CachedStatement } from './statement-cache';
import type { SqliteDatabase } from '../sqlite-database';
import type { TransactionLock } from '../transaction-lock';

/** Shared by an adapter and the transaction-scoped adapters it hands out. */
export interface SqliteState {
  database: SqliteDatabase;
  statements: Map<string, CachedStatement>;
  lock: TransactionLock;
  ownsDatabase: boolean;
}
