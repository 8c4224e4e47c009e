import type { ExecResult, Row, Statement } from '@switchyard/core';
import { routedRead, write, writeNow } from './core-writes';
import type { DualWriteCore } from './dual-write-core';

/**
 * The adapter's `query()`: a read routed to one side; a write (`INSERT ... RETURNING`
 * included) sent to both, returning the primary's rows.
 */
export async function queryStatement(core: DualWriteCore, sql: string, params: readonly unknown[]): Promise<Row[]> {
  const now = writeNow(core, sql, params);
  if (now) return (await now).rows ?? [];
  if (core.classify(sql) === 'read') {
    return routedRead(
      core,
      [{ sql, params }],
      (side) => side.query<Row>(sql, params),
      (rows) => rows,
      (rows) => rows,
    );
  }
  const [result] = await write(core, core.op('execute', [{ sql, params }]));
  return result!.rows ?? [];
}

/** The adapter's `execute()`: a write to both sides, the primary's result returned; a read routed as `query()` routes it. */
export function executeStatement(core: DualWriteCore, sql: string, params: readonly unknown[]): Promise<ExecResult> {
  return writeNow(core, sql, params) ?? executeAny(core, sql, params);
}

async function executeAny(core: DualWriteCore, sql: string, params: readonly unknown[]): Promise<ExecResult> {
  if (core.classify(sql) === 'read') {
    return routedRead(
      core,
      [{ sql, params }],
      (side) => side.execute(sql, params),
      (r) => r.rows ?? [],
      (r) => r.rows ?? [],
    );
  }
  const [result] = await write(core, core.op('execute', [{ sql, params }]));
  return result!;
}

/**
 * The adapter's `batch()`: all reads are routed together to one side; any write makes it
 * one atomic batch per side, so a failed secondary batch is journaled as one entry.
 */
export async function batchStatements(core: DualWriteCore, statements: readonly Statement[]): Promise<ExecResult[]> {
  if (statements.length === 0) return [];
  const kinds = statements.map((s) => core.classify(s.sql));
  const copies = statements.map((s) => ({ sql: s.sql, params: s.params ?? [] }));
  if (kinds.every((k) => k === 'read')) {
    return routedRead(
      core,
      copies,
      (side) => side.batch(copies),
      (results) => results.flatMap((r) => r.rows ?? []),
      (r, i) => r[i]?.rows ?? [],
    );
  }
  return write(core, core.op('batch', copies));
}
