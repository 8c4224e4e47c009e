import type { ExecResult, Statement } from '@switchyard/core';
import { messageText, type MirrorOp } from '../mirror/mirror-op';
import { createOpId } from '../mirror/op-id';
import type { OutboxMirror } from '../mirror/outbox-mirror';
import type { NativeOutboxResult } from './outbox-native-write';
import {
  completeEntrySql,
  entryAfterSql,
  locatedGroups,
  recordKeysSql,
  recordRangeSql,
  type GroupSql,
  type RowLocator,
} from './outbox-entry-sql';
import { batchMoves, entryPrefix } from './outbox-key-moves';
import { whereClauseOf } from './where-clause';
import type { SinkParts, SinkWrite } from './secondary-sink';
import { asWritten } from './write-errors';
import { isRowidKey, splitCaptured, type CapturePlan } from './write-capture';
import { replicatesNothing } from './primary-only';
import { definesTables } from './mirror-pairs';
import { translateAfterWrite, translationsOf } from '../mirror/entry-translations';
import { pinAfterWrite, WRITTEN_AFTER_DEFINITION } from './pinned-insert-keys';

/** Why a write on a primary without transactions went into its outbox as statements. */
export const UNLOCATED = 'an outbox write on a primary without transactions whose rows cannot be found by key after it';

/**
 * A write to a primary without interactive transactions (D1) through an outbox in it, as
 * one batch: an empty entry, the write with its rows captured for the app's results, and
 * a last statement that fills the entry with the rows the write left, read by SQLite
 * itself by key (or by the rowids an INSERT without keys took), each value exact. So the
 * entry carries rows, not statements, as on a primary with transactions, and the drain
 * never lets the secondary generate an id or a default. Statements that cannot be captured
 * (a schema change, a table without a key, an update that moves keys) ride in the entry as
 * statements, before the rows; the key moves among them are named with the keys they left
 * where SQLite can tell (see `batchMoves`).
 *
 * When a captured statement's rows could not be found again at the end of the batch (an
 * UPDATE or DELETE without a filter to reuse, `INSERT … SELECT` into a table whose key is
 * not a rowid, a NULL key), the whole write rides as statements, in its order, and says so.
 * `undefined`, having run nothing, when the entry would pass the primary's parameter limit:
 * the caller then sends the write's statements.
 */
export async function batchOutboxWrite(parts: SinkParts, mirror: OutboxMirror, w: SinkWrite): Promise<NativeOutboxResult | undefined> {
  const { primary } = w;
  let steps = await parts.replicator.steps(primary, w.own, w.forSecondary);
  // One statement found by key or by the rowids it took: its entry in one INSERT right after it
  // (a filter's keys must be recorded before the statement runs, in an entry made first).
  const inline = steps.length === 1;
  let locators = steps.map((s, i) => (s.kind === 'capture' ? locatorOf(s.plan, inline ? undefined : `r${i}`) : null));
  if (locators.includes(undefined)) {
    // Replayed after rows applied by key, a statement could see the secondary in another state.
    steps = steps.map((s, i) =>
      s.kind === 'capture' ? { kind: 'replay', primary: w.own[i]!, secondary: w.forSecondary[i] ?? w.own[i]!, reason: UNLOCATED } : s,
    );
    locators = steps.map(() => null);
  }
  await mirror.ensureTable();
  const outbox = mirror.table;
  const opId = createOpId();
  const createdAt = Date.now();
  const replayed = steps.flatMap((s) => (s.kind === 'replay' && !replicatesNothing(s) ? [s] : []));
  const replays = replayed.map((s) => s.secondary);
  const moves = batchMoves(parts.catalog, primary, steps, replays, outbox);
  // Definitions go in an entry of their own, first: the drain builds the rows after them for the tables they make.
  const definitions =
    moves.length === 0 && definesTables(replays) && steps.some((s) => s.kind === 'capture') ? mirror.entry(replays) : undefined;
  const op: MirrorOp = { opId, seq: 0, createdAt, statements: definitions ? [] : replays };
  // Rows a REPLACE deletes before writing them again: the drain settles what that delete did.
  const replaced = steps.flatMap((s, i) => {
    const locator = locators[i];
    return s.kind === 'capture' && s.plan.parsed.deletesExisting && locator?.kind === 'named' ? locator.rows : [];
  });
  if (replaced.length > 0) op.deleted = replaced;
  // Definitions the drain translates: the batch cannot read what they made before the entry is written.
  const translations = definitions ? undefined : translationsOf(replays);
  if (translations) op.translations = translations;
  // The operation as the general path writes it, up to its captured rows.
  const prefix = entryPrefix(messageText(op).slice(0, -1), moves);
  if (moves.length > 0) op.moves = moves.map((m) => m.move);
  const skeleton = !inline || locators[0]?.kind === 'recorded' || moves.some((m) => m.record);
  const statements: Statement[] = definitions ? [definitions.statement] : [];
  if (skeleton)
    statements.push({ sql: `INSERT INTO ${outbox} (op_id, payload, created_at) VALUES (?, '{}', ?)`, params: [opId, createdAt] });
  const at: number[] = [];
  const groups: GroupSql[] = [];
  for (const [i, step] of steps.entries()) {
    const locator = locators[i];
    if (locator?.kind === 'recorded' && step.kind === 'capture') {
      statements.push(recordKeysSql(outbox, locator.slot, step.plan.table, locator.alias, locator.where));
    }
    const move = moves.find((m) => m.step === i);
    if (move?.record) statements.push(move.record);
    groups.push(...(move?.rows ?? []));
    at.push(statements.length);
    statements.push(step.kind === 'capture' ? step.plan.statement : step.primary);
    if (step.kind !== 'capture' || !locator) continue;
    if (locator.kind === 'range' && locator.slot !== undefined) statements.push({ sql: recordRangeSql(outbox, locator.slot), params: [] });
    groups.push(...locatedGroups(step.plan.table, locator, outbox));
  }
  const complete = skeleton ? completeEntrySql(outbox, prefix, groups) : entryAfterSql(outbox, opId, createdAt, prefix, groups);
  if (complete.params.length > primary.capabilities.maxBoundParameters) return undefined;
  statements.push(complete);
  let raw: ExecResult[];
  try {
    raw = await primary.batch(statements);
  } catch (error) {
    throw asWritten(error, steps);
  }
  mirror.stats.count('enqueued');
  const results = steps.map((step, i) => (step.kind === 'capture' ? splitCaptured(step.plan, raw[at[i]!]!).app : raw[at[i]!]!));
  parts.metrics.replicatedByRow += steps.filter((s) => s.kind === 'capture').length;
  parts.metrics.replicatedByStatement += replays.length;
  for (const r of replayed) if (!r.secondary.translation) parts.replicator.noteReplay(r.secondary.sql, r.reason);
  const translator = parts.options.translateSchema;
  const translated = definitions?.op ?? op;
  // The keys D1 gave rows whose INSERT left them to it, written into the entry's statements.
  await pinAfterWrite(
    primary,
    outbox,
    translated,
    replayed.map((s) => (s.reason === WRITTEN_AFTER_DEFINITION ? raw[at[steps.indexOf(s)]!] : undefined)),
    w.secondary.dialect,
  );
  if (translated.translations && translator)
    await translateAfterWrite(primary, outbox, translated, translator, parts.replicator.noteReplay.bind(parts.replicator));
  return { results, op };
}

/** How a statement's rows are found at the end of the batch, or `undefined` when they cannot be. */
function locatorOf(plan: CapturePlan, slot: string | undefined): RowLocator | undefined {
  const { table, newRowsOnly, parsed } = plan;
  // A REPLACE's own rows are found by the keys it names; the drain settles the rows it displaced (`op.deleted`).
  const named = plan.named ?? plan.replacing;
  const rowid = isRowidKey(table);
  if (named && named.length > 0) {
    const keys = named.map((r) => table.primaryKey.map((k) => r.key[k]));
    const unset = (v: unknown) => v === null || v === undefined;
    // Every key NULL, as Drizzle writes an id it leaves to SQLite: only new rows, found by the rowids they took.
    if (rowid && parsed.verb === 'insert' && !parsed.replaces && keys.every((k) => k.every(unset))) return { kind: 'range', slot };
    // A NULL key among others makes SQLite pick that rowid; a blob key is named by its hex text, not its bytes.
    if (keys.some((k) => k.some(unset))) return undefined;
    if (table.columns.some((c) => table.primaryKey.includes(c.name) && c.logicalType === 'blob')) return undefined;
    return { kind: 'named', rows: named };
  }
  if (parsed.verb !== 'insert') {
    const where = whereClauseOf(parsed.sql, plan.source.params ?? []);
    return where && { kind: 'recorded', slot: slot ?? 'r0', alias: parsed.alias, where };
  }
  return rowid && newRowsOnly && !parsed.replaces ? { kind: 'range', slot } : undefined;
}
