import type { Pool } from 'pg';
import type { PostgresConnection } from '../postgres-connection';
import type { PostgresTypeParsers } from '../postgres-types';
import type { AbandonedSessions } from './abandoned-sessions';
import type { PreparedNames } from './prepared-names';
import type { SerialQueue } from './serial-queue';

/** Shared by an adapter and the transaction-scoped adapters it hands out. */
export interface PgState {
  pool: Pool | undefined;
  /** The one connection of a Client-based adapter, and the queue that serializes its use. */
  client: PostgresConnection | undefined;
  queue: SerialQueue;
  ownsConnection: boolean;
  types: PostgresTypeParsers;
  schemas: string[];
  statementTimeoutMs: number | undefined;
  /** Whether each connection gets the output formats the parsers read (`sessionFormats`). */
  sessionFormats: boolean;
  queryTimeoutMs: number | undefined;
  connectTimeoutMs: number | undefined;
  /** Connections whose session settings (statement_timeout) are in place. */
  configured: WeakSet<object>;
  /** Sessions given up on while a statement may still reach them, until a fence ends them. */
  abandoned: AbandonedSessions;
  /** Texts kept prepared on the server (`keepPrepared`). */
  prepared: PreparedNames;
}

/** The connection a transaction-scoped adapter runs on. */
export interface TxScope {
  client: PostgresConnection;
  queue: SerialQueue;
}
