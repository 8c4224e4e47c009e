import { statementKind, type EncodedStatement } from '@switchyard/core';
import type { QueryConfig } from 'pg';
import type { PgState } from './pg-state';
import { datesAsUtcText } from './utc-timestamp';

/**
 * pg's query config for a statement: dates as UTC text, the adapter's type parsers, and its
 * prepared name if it keeps one and `named`. Inside a transaction nothing runs by name: a plan
 * made stale by another process's schema change fails there (`cached plan must not change
 * result type`), and the failure aborts the transaction, where it cannot be run again.
 */
export function queryConfig(state: PgState, { sql, params, source }: EncodedStatement, named = true): QueryConfig {
  const config: QueryConfig = { text: sql, values: datesAsUtcText(params), types: state.types };
  const name = named ? state.prepared.nameOf(source ?? sql) : undefined;
  if (name) config.name = name;
  return config;
}

/** After `statements` ran: a schema change among them renames every kept text (see `PreparedNames.reset`). */
export function afterRun(state: PgState, statements: readonly EncodedStatement[]): void {
  if (statements.some((s) => statementKind(s.source ?? s.sql) === 'schema')) state.prepared.reset();
}
