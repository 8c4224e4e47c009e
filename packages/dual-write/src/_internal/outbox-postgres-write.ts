import { quoteIdentifier as quote, statementKind, storedTypeOf, type TableInfo } from '@switchyard/core';
import type { MirrorOp } from '../mirror/mirror-op';
import type { Mirror } from '../mirror/mirror-types';
import { capturedEntrySql } from '../mirror/outbox-captured';
import { isOutboxMirror, numbersItsPlaceholders, type OutboxMirror } from '../mirror/outbox-mirror';
import { createOpId } from '../mirror/op-id';
import { BoundedCache } from './bounded-cache';
import { writeTable } from './column-types';
import type { NativeOutboxResult } from './outbox-native-write';
import { dedupeRefs, imagesOf, refOf } from './row-images';
import type { SinkParts, SinkWrite } from './secondary-sink';
import { planCapture, splitCaptured, type CapturePlan } from './write-capture';

/**
 * The one statement of each capture plan's text with its outbox's table, built once per
 * text and per table definition: after a schema change the entry lists the new columns.
 */
const texts = new WeakMap<TableInfo, BoundedCache<string, string>>();

/**
 * One write to a Postgres primary and its outbox entry as one autocommitted statement: the
 * write, with its rows captured, is a data-modifying CTE whose rows a second CTE turns into
 * the entry on the server (each column as its own text; see `outbox-captured`). One round
 * trip, like the write alone, where a transaction would take four (BEGIN, the write, the
 * entry, COMMIT). The entry reads the write's rows, so Postgres inserts it after the write
 * took its row locks: two writes to one row get sequence values in their commit order.
 * A write that changed no row leaves no entry.
 *
 * Resolves (or returns) `undefined`, having run nothing, when the write needs the general
 * path: not a Postgres outbox, several statements, a statement replayed rather than captured
 * (a table without a key, say), or `$n` placeholders (the entry's own parameters are `?`).
 */
export function postgresOutboxWrite(parts: SinkParts, mirror: Mirror, w: SinkWrite): Promise<NativeOutboxResult | undefined> | undefined {
  if (w.primary.dialect !== 'postgres' || w.own.length !== 1 || !isOutboxMirror(mirror)) return undefined;
  const statement = w.own[0]!;
  if (statementKind(statement.sql) !== 'write') return undefined;
  const table = writeTable(statement.sql);
  if (!table) return undefined;
  return writeWithEntry(parts, mirror, w, table);
}

async function writeWithEntry(
  parts: SinkParts,
  mirror: OutboxMirror,
  w: SinkWrite,
  table: string,
): Promise<NativeOutboxResult | undefined> {
  // Only the primary's table is needed (the secondary's is read when the entry is drained):
  // read once, and again after a schema change through the adapter.
  const info = parts.catalog.peek(w.primary, table) ?? (await parts.catalog.table(w.primary, table));
  if (parts.catalog.sharedName(w.primary, table)) return undefined;
  // No row locks: the primary's own locks order writes to a row, and the outbox's sequence their entries.
  const plan = planCapture(w.own[0]!, info, 'postgres', undefined, false);
  if (typeof plan === 'string') return undefined;
  // The entry is built from RETURNING: rows an AFTER trigger or a rule may change take the general path, which reads them again.
  // Awaited only while the primary is asked: a known answer costs the write no turn.
  const stored = parts.catalog.primaryRowsStored(w.primary, plan.table.name);
  if (!(typeof stored === 'boolean' ? stored : await stored)) return undefined;
  const sql = withEntry(plan, mirror.table);
  if (!sql) return undefined;
  await mirror.ensureTable();
  const createdAt = Date.now();
  const opId = createOpId(createdAt);
  // Planning this statement costs more than running it: the server keeps it prepared once
  // the app repeats the text, as the synchronous path does, so a one-off text takes no slot.
  if (plan.repeated) w.primary.keepPrepared?.(sql);
  const result = await w.primary.execute(sql, [...plan.statement.params!, opId, opId, createdAt, createdAt]);
  const { app, images: rows } = splitCaptured(plan, result);
  const images = imagesOf(plan.table, rows, plan.parsed.verb === 'delete');
  // The entry's statements are built when it is drained, from the rows the server wrote into it.
  const op: MirrorOp = { opId, seq: 0, createdAt, statements: [], rows: dedupeRefs(images.map(refOf)) };
  if (images.length > 0) mirror.stats.count('enqueued');
  parts.metrics.replicatedByRow++;
  return { results: [app], op };
}

/** The one statement, or `undefined` for a text with `$n` placeholders (the entry's own are `?`). */
function withEntry(plan: CapturePlan, table: string): string | undefined {
  let byText = texts.get(plan.table);
  if (!byText) texts.set(plan.table, (byText = new BoundedCache(200)));
  const cacheKey = `${table}\u0000${plan.statement.sql}`;
  let sql = byText.get(cacheKey);
  if (sql === undefined) {
    sql = numbersItsPlaceholders(plan.source.sql) ? '' : oneStatement(plan, table);
    if (plan.statement.sql.length <= 4096) byText.set(cacheKey, sql);
  }
  return sql || undefined;
}

function oneStatement(plan: CapturePlan, table: string): string {
  const source = plan.table;
  // With the app's own RETURNING kept, the whole row comes back under private aliases.
  const columns = source.columns.map((c, n) => ({ name: c.name, type: storedTypeOf(c), ref: quote(plan.aliases ? `__sy_${n}` : c.name) }));
  const entry = capturedEntrySql(table, '"__sy_w"', source, columns, plan.parsed.verb === 'delete');
  // The closing parenthesis on its own line: a line comment at the end of the app's SQL must not swallow it.
  return `WITH "__sy_w" AS (${plan.statement.sql}\n), "__sy_e" AS (${entry}) SELECT * FROM "__sy_w"`;
}
