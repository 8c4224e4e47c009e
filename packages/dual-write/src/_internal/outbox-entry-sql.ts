import { quoteIdentifier as quote, type TableInfo } from '@switchyard/core';
import type { RowRef } from '../row-ref';
import type { WhereClause } from './where-clause';

/**
 * Where the rows a write left are found at the end of its batch: by the keys it names, by
 * the range of rowids an INSERT without keys took (recorded in the entry right after it),
 * by the keys its filter selected (recorded in the entry right before it), or by the
 * rowids its filter selected (a key move's rows, whose keys it changes; see `batchMoves`).
 */
export type RowLocator =
  | { kind: 'named'; rows: RowRef[] }
  | { kind: 'range'; slot: string | undefined }
  | { kind: 'recorded'; slot: string; alias: string | undefined; where: WhereClause }
  | { kind: 'rowids'; slot: string };

/** The SQL of one captured group of an entry, and its parameters in order. */
export interface GroupSql {
  sql: string;
  params: unknown[];
}

const TWO_40 = '1099511627776.0';
const TWO_62 = '4611686018427387904.0';

/**
 * Powers of two from 2^-1074 to 2^1000 (`sy_scale(s, p)`, p = 2^s, every 40th, each made
 * from the last by an exact multiplication or division), for the statement that reads
 * reals with {@link storedValueText}: it must start with this.
 */
export const SCALES_CTE =
  `WITH RECURSIVE sy_up(s, p) AS (SELECT 0, 1.0 UNION ALL SELECT s + 40, p * ${TWO_40} FROM sy_up WHERE s < 1000), ` +
  `sy_down(s, p) AS (SELECT -40, 1.0 / ${TWO_40} UNION ALL SELECT s - 40, p / ${TWO_40} FROM sy_down WHERE s > -1040), ` +
  `sy_scale(s, p) AS (SELECT s, p FROM sy_up UNION ALL SELECT s, p FROM sy_down ` +
  `UNION ALL SELECT -1074, p / 17179869184.0 FROM sy_down WHERE s = -1040) `;

/**
 * A nonzero finite real as `{"$scaled":[i,f,s]}`, the value being `(i + f / 2^52) * 2^s`:
 * divided by the power of two `2^s` that brings it between 1 and 2^63 (exact), `i` is its
 * integer part and `f` its fraction in 2^-52 units (exact too: a double of magnitude at
 * least 1 has no bit below 2^-52). Printing a double in decimal is not exact on older
 * SQLite builds, D1's among them; these parts are.
 */
function scaled(c: string): string {
  // Most reals need no scale, or 2^-62 (0.5, 0.01): those skip the table of powers.
  const within = (y: string) => `abs(${y}) >= 1.0 AND abs(${y}) < 9223372036854775808.0`;
  return (
    `CASE WHEN ${within(c)} THEN ${parts(c, "'0'")} ` +
    `WHEN ${within(`(${c} * ${TWO_62})`)} THEN ${parts(`(${c} * ${TWO_62})`, "'-62'")} ` +
    `ELSE (SELECT ${parts(`(${c} / sy_scale.p)`, 'sy_scale.s')} FROM sy_scale ` +
    `WHERE ${within(`(${c} / sy_scale.p)`)} ORDER BY sy_scale.s LIMIT 1) END`
  );
}

/** The `$scaled` text of `y`, a real between 1 and 2^63 in magnitude, and the power `s` it was divided by. */
function parts(y: string, s: string): string {
  const whole = `CAST(${y} AS INTEGER)`;
  return `'{"$scaled":[' || ${whole} || ',' || CAST((${y} - ${whole}) * 4503599627370496.0 AS INTEGER) || ',' || ${s} || ']}'`;
}

/**
 * One column's value as the JSON text of core's stored value, built by SQLite itself so
 * nothing is rounded on the way: integers past 2^53 as `$int` text, blobs as `$bytes` hex,
 * reals as exact `$scaled` parts (see {@link scaled}).
 */
function storedValueText(c: string): string {
  const real =
    `CASE WHEN ${c} = 9e999 THEN '{"$number":"Infinity"}' WHEN ${c} = -9e999 THEN '{"$number":"-Infinity"}' ` +
    `WHEN ${c} = 0 THEN '0' ELSE ${scaled(c)} END`;
  return (
    `CASE typeof(${c}) WHEN 'null' THEN 'null' ` +
    `WHEN 'integer' THEN CASE WHEN ${c} BETWEEN -9007199254740991 AND 9007199254740991 THEN CAST(${c} AS TEXT) ` +
    `ELSE '{"$int":"' || CAST(${c} AS TEXT) || '"}' END ` +
    `WHEN 'real' THEN ${real} WHEN 'text' THEN json_quote(${c}) ELSE '{"$bytes":"' || lower(hex(${c})) || '"}' END`
  );
}

/** A real written as `$scaled` parts (see `scaled`) as the double it is; any other stored value as it is. */
export function unscaled(stored: unknown): unknown {
  const parts = (stored as { $scaled?: unknown } | null)?.$scaled;
  if (!Array.isArray(parts) || parts.length !== 3 || !parts.every((p) => typeof p === 'number')) return stored;
  const [whole, fraction, s] = parts as [number, number, number];
  // Each step is exact: the fraction has 52 bits, the sum is a double, and so is its product with 2^s.
  return (whole + fraction / 2 ** 52) * 2 ** s;
}

/** The batch's own entry: the outbox's newest row, since the batch holds the database's only write lock from its first statement. */
const newest = (outbox: string) => `seq = (SELECT max(seq) FROM ${outbox})`;

/** A string as a SQL literal. */
export const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** A group's JSON text over the rows `from … where` selects, or NULL when it selects none. */
function groupOf(table: string, deleted: boolean, columns: readonly string[], values: readonly string[], fromWhere: string): string {
  const head = `{"table":${JSON.stringify(table)},"deleted":${deleted},"columns":${JSON.stringify(columns)},"values":[`;
  const row = `'[' || ${values.map(storedValueText).join(` || ',' || `)} || ']'`;
  return `(SELECT CASE WHEN count(*) = 0 THEN NULL ELSE ${literal(head)} || group_concat(${row}, ',') || ']}' END ${fromWhere})`;
}

/**
 * The captured groups of one statement's rows, read at the end of the write's batch (each
 * row as the whole write left it; applied after the write's other statements, in order,
 * that is the state the secondary must end in): the rows that exist, whole, and for named
 * keys whose rows no longer exist, their deletion.
 */
export function locatedGroups(table: TableInfo, locator: RowLocator, outbox: string): GroupSql[] {
  const t = quote(table.name);
  const columns = table.columns.map((c) => c.name);
  const whole = columns.map((c) => `${t}.${quote(c)}`);
  if (locator.kind === 'range') {
    const key = `${t}.${quote(table.primaryKey[0]!)}`;
    // Without a slot, read where the INSERT just before this statement left them.
    const range =
      locator.slot === undefined
        ? 'last_insert_rowid() - changes() + 1 AND last_insert_rowid()'
        : `json_extract(${outbox}.payload, '$.${locator.slot}[0]') AND json_extract(${outbox}.payload, '$.${locator.slot}[1]')`;
    return [{ sql: groupOf(table.name, false, columns, whole, `FROM ${t} WHERE ${key} BETWEEN ${range}`), params: [] }];
  }
  if (locator.kind === 'rowids') {
    const rowids = `SELECT value FROM json_each(${outbox}.payload, '$.${locator.slot}')`;
    return [{ sql: groupOf(table.name, false, columns, whole, `FROM ${t} WHERE ${t}.rowid IN (${rowids})`), params: [] }];
  }
  const keys = table.primaryKey;
  const match = (row: string) => keys.map((k) => `${t}.${quote(k)} = ${row}.${quote(k)}`).join(' AND ');
  // The keys as a table of their own, from a JSON array of key arrays: one parameter however
  // many rows (D1 allows 100 parameters, and few terms in a compound SELECT), or the entry's slot.
  const params = locator.kind === 'named' ? [JSON.stringify(locator.rows.map((r) => keys.map((k) => r.key[k] ?? null)))] : [];
  const source = locator.kind === 'named' ? 'json_each(?)' : `json_each(${outbox}.payload, '$.${locator.slot}')`;
  const listed = `SELECT DISTINCT ${keys.map((k, i) => `json_extract(j.value, '$[${i}]') AS ${quote(k)}`).join(', ')} FROM ${source} AS j`;
  const existing = groupOf(
    table.name,
    false,
    columns,
    whole,
    // Driven from the keys, so each row is found through the primary key, not by a scan.
    `FROM (${listed}) AS k JOIN ${t} ON ${match('k')}`,
  );
  const gone = groupOf(
    table.name,
    true,
    keys,
    keys.map((k) => `k.${quote(k)}`),
    `FROM (${listed}) AS k WHERE NOT EXISTS (SELECT 1 FROM ${t} WHERE ${match('k')})`,
  );
  return [
    { sql: existing, params },
    { sql: gone, params },
  ];
}

/**
 * The statement that completes an entry inserted empty at the start of the batch: its
 * payload becomes `prefix` (the text of the operation up to its captured rows), the
 * groups that selected rows, and the closing brackets.
 */
export function completeEntrySql(outbox: string, prefix: GroupSql, groups: readonly GroupSql[]): GroupSql {
  return {
    sql: `${SCALES_CTE}UPDATE ${outbox} SET payload = ${prefix.sql} || ${joinedGroups(groups)} || ']}' WHERE ${newest(outbox)}`,
    params: [...prefix.params, ...groups.flatMap((g) => g.params)],
  };
}

/**
 * The whole entry in one INSERT right after a one-statement write, as the floor of any
 * outbox writes it (the write, then its entry): for rows found by key, or by the rowids
 * the write just took.
 */
export function entryAfterSql(outbox: string, opId: string, createdAt: number, prefix: GroupSql, groups: readonly GroupSql[]): GroupSql {
  return {
    sql: `${SCALES_CTE}INSERT INTO ${outbox} (op_id, payload, created_at) SELECT ?, ${prefix.sql} || ${joinedGroups(groups)} || ']}', ?`,
    params: [opId, ...prefix.params, ...groups.flatMap((g) => g.params), createdAt],
  };
}

/** The groups' texts joined by commas, leaving out those that selected no row. */
function joinedGroups(groups: readonly GroupSql[]): string {
  return groups.length === 0 ? "''" : `rtrim(${groups.map((g) => `coalesce(${g.sql} || ',', '')`).join(' || ')}, ',')`;
}

/**
 * The statement, right before an UPDATE or DELETE by a filter, that records the keys of the
 * rows it selects in the entry. `alias`: the statement's for its table, as SQL names it (`ParsedWrite.alias`).
 */
export function recordKeysSql(outbox: string, slot: string, table: TableInfo, alias: string | undefined, where: WhereClause): GroupSql {
  const from = alias ? `${quote(table.name)} AS ${alias}` : quote(table.name);
  const keys = table.primaryKey.map((k) => `${alias ?? quote(table.name)}.${quote(k)}`).join(', ');
  return {
    sql:
      `UPDATE ${outbox} SET payload = json_set(payload, '$.${slot}', ` +
      `(SELECT json_group_array(json_array(${keys})) FROM ${from} WHERE ${where.text})) WHERE ${newest(outbox)}`,
    params: where.params,
  };
}

/**
 * The statement, right before an UPDATE that moves keys, that records in the entry the
 * rowids of the rows its filter selects: a rowid survives the move (see `batchMoves`).
 */
export function recordRowidsSql(outbox: string, slot: string, table: TableInfo, alias: string | undefined, where: WhereClause): GroupSql {
  const from = alias ? `${quote(table.name)} AS ${alias}` : quote(table.name);
  return {
    sql:
      `UPDATE ${outbox} SET payload = json_set(payload, '$.${slot}', ` +
      `(SELECT json_group_array(${alias ?? quote(table.name)}.rowid) FROM ${from} WHERE ${where.text})) WHERE ${newest(outbox)}`,
    params: where.params,
  };
}

/** The JSON text of the keys the rows whose rowids the entry's `slot` holds have now, as objects by key column. */
export function rowidKeysSql(outbox: string, slot: string, table: TableInfo): string {
  const t = quote(table.name);
  const pairs = table.primaryKey.map((k) => `${literal(k)}, ${t}.${quote(k)}`).join(', ');
  return (
    `coalesce((SELECT json_group_array(json_object(${pairs})) FROM ${t} ` +
    `WHERE ${t}.rowid IN (SELECT value FROM json_each(${outbox}.payload, '$.${slot}'))), '[]')`
  );
}

/** The statement, right after an INSERT that named no key, that records the rowids it took in the entry. */
export function recordRangeSql(outbox: string, slot: string): string {
  return (
    `UPDATE ${outbox} SET payload = json_set(payload, '$.${slot}', json_array(last_insert_rowid() - changes() + 1, last_insert_rowid())) ` +
    `WHERE ${newest(outbox)}`
  );
}
