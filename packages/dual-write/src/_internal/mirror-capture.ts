import type { DatabaseAdapter, ExecResult, Statement } from '@switchyard/core';
import type { LockClaims } from './row-locks';
import type { KeyMove, ReplicatorParts, Step } from './replication-types';
import type { MovedKeys } from '../mirror/mirror-op';
import { appResult, movedKeys } from './key-move-rows';
import type { RowRef } from '../row-ref';
import { storedImages } from './stored-images';
import { imageStatements, imagesOf, refOf, type RowImage } from './row-images';
import { runSteps } from './write-errors';
import { splitCaptured } from './write-capture';
import { capturedImages, type CapturedRows } from '../mirror/outbox-captured';
import { definesTables, mirrorTables } from './mirror-pairs';
import { replicatesNothing } from './primary-only';
import { readOnce } from './translated-forms';
import { replayedForms } from './pinned-insert-keys';

/**
 * What a write sends through a mirror that carries statements: the secondary's statements,
 * the rows they touch, those it deleted, the key moves among the statements, the rows as
 * the primary left them, and those rows with the primary's columns when the secondary's
 * tables could not be read (see `mirrorTables`; the statements then hold only the replayed ones).
 */
export type MirrorHandOff = (
  statements: Statement[],
  rows: RowRef[],
  deleted: RowRef[],
  moves: MovedKeys[],
  images: RowImage[],
  captured?: CapturedRows[],
) => Promise<void>;

/**
 * A write on a primary without interactive transactions (D1) whose mirror sends after the
 * commit (a queue): it runs with its rows captured (`RETURNING`), and `handOff` gets, in
 * the write's order, an upsert or delete by key for each row it left and the statements
 * that could not be captured, so the secondary never uses its own generator for a row.
 * The tables are read before the primary runs (a failure then writes nothing; a secondary
 * that does not answer in time does not fail it, see `mirrorTables`), and the row locks
 * are held until `handOff` returns, so two writes to one row reach the mirror in the
 * primary's order.
 */
export async function captureForMirror(
  parts: ReplicatorParts,
  claims: LockClaims,
  kind: 'execute' | 'batch',
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  steps: readonly Step[],
  handOff: MirrorHandOff,
): Promise<ExecResult[]> {
  const definitions = definesTables(steps.flatMap((s) => (s.kind === 'replay' && !replicatesNothing(s) ? [s.secondary] : [])));
  const tables = await mirrorTables(
    parts,
    primary,
    secondary,
    steps.flatMap((s) => (s.kind === 'capture' ? [s.plan.table.name] : [])),
    primary,
    definitions,
  );
  const release = await parts.locks.acquire(claims);
  try {
    const raw = await runSteps(kind, primary, steps);
    const results: ExecResult[] = [];
    const statements: Statement[] = [];
    const rows: RowRef[] = [];
    const deleted: RowRef[] = [];
    const written: RowImage[] = [];
    const moved: { moves?: KeyMove[] } = {};
    let tablesAfter: ReturnType<typeof readOnce> | undefined;
    for (const [i, step] of steps.entries()) {
      if (step.kind === 'replay') {
        results.push(appResult(step, raw[i]!, moved));
        if (replicatesNothing(step)) continue;
        parts.metrics.replicatedByStatement++;
        // Sent after the commit: a definition goes translated from what it made (see `replayedForms`).
        statements.push(...(await replayedForms(parts, (tablesAfter ??= readOnce(primary)), step, raw[i]!, secondary.dialect)));
        continue;
      }
      const { app, images: captured } = splitCaptured(step.plan, raw[i]!);
      results.push(app);
      const images = await storedImages(
        parts.catalog,
        parts.settler,
        primary,
        imagesOf(step.plan.table, captured, step.plan.parsed.verb === 'delete'),
      );
      parts.metrics.replicatedByRow++;
      if ('pairs' in tables) statements.push(...imageStatements(images, tables.pairs, primary.dialect, secondary));
      rows.push(...images.map(refOf));
      // A REPLACE deleted the rows it wrote again first: their delete's actions ran too.
      deleted.push(...images.filter((image) => image.row === null || step.plan.parsed.deletesExisting).map(refOf));
      written.push(...images);
    }
    const moves = movedKeys(parts.catalog, primary, moved.moves, statements);
    await handOff(statements, rows, deleted, moves, written, 'pairs' in tables ? undefined : capturedImages(written, tables.sources));
    return results;
  } finally {
    release();
  }
}
