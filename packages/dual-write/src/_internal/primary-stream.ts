import type { CompiledQuery } from 'kysely';
import { statementKind, type DatabaseAdapter, type DialectName, type ExecResult, type Row, type StreamOptions } from '@switchyard/core';
import { DualWriteSession } from './dual-write-session';
import { checkLimits } from './statement-preflight';
import { compileFor } from './write-op';

/** What a stream through the dual-write adapter needs of it. */
export interface StreamOwner extends DatabaseAdapter {
  readonly primary: DatabaseAdapter;
  readonly secondary: DatabaseAdapter;
  executeCompiled(compiled: CompiledQuery, target: DatabaseAdapter): Promise<ExecResult & { rows: unknown[] }>;
}

const DEFAULT_CHUNK_SIZE = 100;

/**
 * Streams a read from the primary with the primary's own `stream()` (an SQLite iterator,
 * a Postgres cursor, D1 pages). A write (`INSERT … RETURNING`) takes the owner's write
 * path and reaches both sides; a primary without `stream()` is read whole, routed as
 * `query()` routes it. `onRead` counts a read served by the primary.
 */
export async function* streamFromPrimary<T = Row>(
  owner: StreamOwner,
  sql: string,
  params: readonly unknown[],
  options: StreamOptions,
  onRead: () => void,
): AsyncGenerator<T[]> {
  const primary = owner.primary;
  if (statementKind(sql) !== 'read' || !primary.stream) {
    yield* inChunks(await owner.query<T>(sql, params), options.chunkSize ?? DEFAULT_CHUNK_SIZE);
    return;
  }
  // As for query(): a read must also fit the secondary, to keep working after a switch.
  checkLimits(owner.secondary, [{ sql, params }]);
  onRead();
  yield* primary.stream<T>(sql, params, options);
}

/**
 * Streams a builder query run on `target` (the owner itself or one of its sessions): a
 * read compiled for the primary's dialect and streamed from it; anything else, and reads
 * inside a transaction, through `executeCompiled`, then yielded in chunks.
 */
export async function* streamCompiledFromPrimary(
  owner: StreamOwner,
  compiled: CompiledQuery,
  target: DatabaseAdapter,
  chunkSize: number,
  compiledFor: DialectName,
  onRead: () => void,
): AsyncGenerator<unknown[]> {
  const side = target === owner ? owner.primary : target instanceof DualWriteSession ? target : undefined;
  if (side?.stream) {
    const own = compileFor(side, compiled, compiledFor);
    if (statementKind(own.sql) === 'read') {
      checkLimits(owner.secondary, [{ sql: compiled.sql, params: compiled.parameters }]);
      if (side === owner.primary) onRead();
      yield* side.stream(own.sql, own.params ?? [], { chunkSize });
      return;
    }
  }
  const { rows } = await owner.executeCompiled(compiled, target);
  yield* inChunks(rows, chunkSize);
}

function* inChunks<T>(rows: T[], chunkSize: number): Generator<T[]> {
  for (let i = 0; i < rows.length; i += chunkSize) yield rows.slice(i, i + chunkSize);
}
