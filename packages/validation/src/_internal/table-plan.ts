import {
  comparesStorageClass,
  isArrayColumn,
  isBlankPadded,
  mayHoldRoundedIntegers,
  jsonArrayKind,
  jsonDocumentKind,
  storedTypeOf,
  type ColumnInfo,
  type DialectName,
  type LogicalType,
  type TableInfo,
} from '@switchyard/core';
import type { SchemaDifference, ValidateOptions } from '../validation-types';

/** How a key column is ordered and compared: numerically, or as code points. */
export type KeyOrder = 'integer' | 'number' | 'text';

/** A key column with what the merge needs to order it the same way on both engines. */
export interface KeyColumn {
  name: string;
  /** The logical type values are normalized by. */
  type: LogicalType;
  order: KeyOrder;
  /** The stored type on the side the expression is built for, a domain's base type (Postgres collation needs it). */
  declaredType: string;
  /** Whether the column may hold NULL on that side (primary key columns never do). */
  nullable: boolean;
  /** A Postgres side declares it `character(n)`: keys are matched without trailing spaces (see {@link ComparedColumn.blankPadded}). */
  blankPadded?: boolean;
}

/** A column as the comparison sees it: the logical type both sides' values are normalized by. */
export interface ComparedColumn {
  name: string;
  type: LogicalType;
  /**
   * Both sides are SQLite or D1, where a column may hold any storage class: a value of
   * another class (text `'1'` for integer `1`, text for a blob of its bytes) is a
   * difference even where the values normalize alike, since the app reads, compares and
   * sorts it differently.
   */
  storageClass?: boolean;
  /**
   * Both sides are Postgres and the column is `numeric`, `json` or `jsonb` on each: the value
   * is its text as stored, which is what the app reads back (`1.50` keeps its scale, `json`
   * its key order, duplicate keys and spacing, a `jsonb` number its scale; JSON is read as
   * `::text`). Texts that differ are a difference even where the numbers or documents are
   * equal by `=`.
   */
  exactText?: 'numeric' | 'json';
  /**
   * A JSON column on both sides between Postgres and SQLite or D1: the side that is
   * SQLite or D1, whose text that is not a JSON document at all (SQLite does not check) is
   * compared as the JSON string holding it, which is what a copy writes for it into Postgres.
   */
  plainTextSide?: 'source' | 'target';
  /**
   * An array column against a SQLite or D1 JSON column: the Postgres side, where pg hands back
   * an array of a type it does not parse (an enum's, a range's) as its literal, `{a,b}`,
   * compared as the array of its elements' texts, which is what a copy writes for it.
   */
  arrayLiteralSide?: 'source' | 'target';
  /**
   * A Postgres side declares the column `character(n)`, whose values pg reads padded with
   * spaces and whose trailing spaces Postgres disregards: texts equal without their
   * trailing spaces are equal (`'ab'` copied from SQLite reads back `'ab   '`).
   */
  blankPadded?: boolean;
  /**
   * The D1 sides whose column may hold an integer D1's API rounds (past 2^53, see core's
   * `mayHoldRoundedIntegers`): such a value read there cannot be shown equal to anything.
   */
  roundedIntegerSides?: readonly ('source' | 'target')[];
  /**
   * A blob column against a JSON one: the blob side, whose bytes are compared as the text they
   * spell, which is what a copy writes for them into the JSON column.
   */
  blobTextSide?: 'source' | 'target';
}

/** What the two engines of a validation share, which decides how strictly values compare. */
export interface EnginePair {
  /** Both SQLite or D1 (core's `comparesStorageClass`). */
  storageClass: boolean;
  /** Both Postgres. */
  bothPostgres: boolean;
  /** The side that is Postgres where only one is. */
  postgresSide?: 'source' | 'target';
  /** The sides that are D1, whose API rounds integers beyond 2^53. */
  d1Sides?: readonly ('source' | 'target')[];
}

/** The {@link EnginePair} of a source and a target engine. */
export function enginePair(source: DialectName, target: DialectName): EnginePair {
  const pair: EnginePair = {
    storageClass: comparesStorageClass(source, target),
    bothPostgres: source === 'postgres' && target === 'postgres',
  };
  if ((source === 'postgres') !== (target === 'postgres')) pair.postgresSide = source === 'postgres' ? 'source' : 'target';
  const d1Sides = (['source', 'target'] as const).filter((side) => (side === 'source' ? source : target) === 'd1');
  if (d1Sides.length > 0) pair.d1Sides = d1Sides;
  return pair;
}

/** A column compared by `type` between its source (`a`) and target (`b`) definitions, as strictly as the engines allow. */
export function comparedColumn(name: string, type: LogicalType, a: ColumnInfo, b: ColumnInfo, pair: EnginePair): ComparedColumn {
  const column: ComparedColumn = pair.storageClass ? { name, type, storageClass: true } : { name, type };
  const exact = pair.bothPostgres ? exactTextOf(a, b) : undefined;
  if (exact) column.exactText = exact;
  // Only where both columns are JSON: into a SQLite TEXT column a copy writes a string
  // document as its string, and an array literal as it is.
  const postgresColumns = pair.bothPostgres ? [a, b] : pair.postgresSide ? [pair.postgresSide === 'source' ? a : b] : [];
  if (postgresColumns.some((c) => isBlankPadded(c, 'postgres'))) column.blankPadded = true;
  const rounded = pair.d1Sides?.filter((side) => mayHoldRoundedIntegers(side === 'source' ? a : b, 'd1'));
  if (rounded?.length) column.roundedIntegerSides = rounded;
  if (type === 'json' && a.logicalType !== b.logicalType && (a.logicalType === 'blob' || b.logicalType === 'blob'))
    column.blobTextSide = a.logicalType === 'blob' ? 'source' : 'target';
  if (pair.postgresSide && a.logicalType === 'json' && b.logicalType === 'json') {
    column.plainTextSide = pair.postgresSide === 'source' ? 'target' : 'source';
    if (isArrayColumn(pair.postgresSide === 'source' ? a : b)) column.arrayLiteralSide = pair.postgresSide;
  }
  return column;
}

/** Everything needed to validate one table, worked out from both sides' introspection. */
export interface TablePlan {
  name: string;
  source?: TableInfo;
  target?: TableInfo;
  /** Key columns, with the declared types of each side. */
  sourceKeys: KeyColumn[];
  targetKeys: KeyColumn[];
  /** Why the table has no usable key, when it has none. */
  keyError?: string;
  /** Columns compared (keys included), present on both sides with compatible types. */
  columns: ComparedColumn[];
  schemaDifferences: SchemaDifference[];
}

/**
 * The logical type two columns are compared by, or `undefined` when no normalization
 * makes them comparable. `text` (and SQLite's catch-all `numeric`) defer to the other
 * side, since a TEXT column is how SQLite and D1 hold dates, JSON and big integers.
 */
export function comparisonType(a: LogicalType, b: LogicalType): LogicalType | undefined {
  if (a === b) return a;
  if (a === 'text') return b;
  if (b === 'text') return a;
  const pair = new Set<LogicalType>([a, b]);
  const has = (x: LogicalType, y: LogicalType) => pair.has(x) && pair.has(y);
  if (has('integer', 'boolean')) return 'boolean';
  if (has('integer', 'timestamp')) return 'timestamp';
  if (has('integer', 'numeric')) return 'numeric';
  // A SQLite blob holding a JSON document's text (Drizzle's blob json mode) against a JSON column.
  if (has('blob', 'json')) return 'json';
  if (has('integer', 'real') || has('numeric', 'real')) return 'real';
  if (pair.has('numeric')) return a === 'numeric' ? b : a;
  return undefined;
}

function keyOrder(type: LogicalType): KeyOrder {
  if (type === 'integer' || type === 'boolean') return 'integer';
  if (type === 'real' || type === 'numeric') return 'number';
  return 'text';
}

function ignoredFor(table: string, ignore: ValidateOptions['ignoreColumns']): Set<string> {
  if (!ignore) return new Set();
  if (Array.isArray(ignore)) return new Set(ignore);
  return new Set(ignore[table] ?? []);
}

/**
 * Matches a table's two sides: the columns compared and their logical types, schema
 * differences, and the key (the primary key or `keyColumns`).
 *
 * @example
 * ```ts
 * const plan = planTable('users', sourceInfo, targetInfo, { keyColumns: { logs: ['id'] } });
 * const sqlitePair = planTable('kv', a, b, {}, { storageClass: true, bothPostgres: false });
 * ```
 */
export function planTable(
  name: string,
  source: TableInfo | undefined,
  target: TableInfo | undefined,
  options: Pick<ValidateOptions, 'keyColumns' | 'ignoreColumns'>,
  pair: EnginePair = { storageClass: false, bothPostgres: false },
): TablePlan {
  const plan: TablePlan = { name, source, target, sourceKeys: [], targetKeys: [], columns: [], schemaDifferences: [] };
  if (!source || !target) {
    const side = source ? 'target' : 'source';
    plan.schemaDifferences.push({
      kind: source ? 'table-missing-in-target' : 'table-missing-in-source',
      message: `Table "${name}" exists only in the ${source ? 'source' : 'target'}; create it in the ${side}.`,
    });
    return plan;
  }
  const ignored = ignoredFor(name, options.ignoreColumns);
  const targetColumns = new Map(target.columns.map((c) => [c.name, c]));
  const sourceColumns = new Map(source.columns.map((c) => [c.name, c]));
  for (const column of source.columns) {
    if (ignored.has(column.name)) continue;
    const other = targetColumns.get(column.name);
    if (!other) {
      plan.schemaDifferences.push({
        kind: 'column-missing-in-target',
        column: column.name,
        message: `Column "${name}"."${column.name}" is missing in the target.`,
      });
      continue;
    }
    const type = comparisonType(column.logicalType, other.logicalType);
    if (!type) {
      plan.schemaDifferences.push({
        kind: 'incompatible-type',
        column: column.name,
        sourceType: describe(column),
        targetType: describe(other),
        message: `Column "${name}"."${column.name}" is ${describe(column)} in the source but ${describe(other)} in the target; its values cannot be compared.`,
      });
      continue;
    }
    plan.columns.push(comparedColumn(column.name, type, column, other, pair));
  }
  for (const column of target.columns) {
    if (ignored.has(column.name) || sourceColumns.has(column.name)) continue;
    plan.schemaDifferences.push({
      kind: 'column-missing-in-source',
      column: column.name,
      message: `Column "${name}"."${column.name}" exists only in the target.`,
    });
  }
  resolveKey(plan, source, target, options.keyColumns?.[name], sourceColumns, targetColumns);
  return plan;
}

/**
 * `numeric` (any precision) on both Postgres sides, or `json` on both, or `jsonb` on both
 * (whose text is canonical, so equal documents give equal text, while a number keeps its
 * scale: `1.0` is not `1`), or arrays of one of those on both; a domain counts as the type
 * it is built on.
 */
export function exactTextOf(a: ColumnInfo, b: ColumnInfo): ComparedColumn['exactText'] {
  const numeric = /^(?:numeric|decimal)\b/i;
  if (numeric.test(storedTypeOf(a)) && numeric.test(storedTypeOf(b))) return 'numeric';
  if (jsonDocumentKind(a) !== undefined && jsonDocumentKind(a) === jsonDocumentKind(b)) return 'json';
  // An array of documents of one kind on both: its literal (pg would parse each element).
  return jsonArrayKind(a) !== undefined && jsonArrayKind(a) === jsonArrayKind(b) ? 'json' : undefined;
}

function resolveKey(
  plan: TablePlan,
  source: TableInfo,
  target: TableInfo,
  configured: string[] | undefined,
  sourceColumns: Map<string, ColumnInfo>,
  targetColumns: Map<string, ColumnInfo>,
): void {
  const key = configured ?? (source.primaryKey.length > 0 ? source.primaryKey : target.primaryKey);
  if (key.length === 0) {
    plan.keyError =
      `Table "${plan.name}" has no primary key, so rows cannot be matched. ` +
      `Pass keyColumns: { ${JSON.stringify(plan.name)}: ['column', ...] } with columns that identify a row.`;
    return;
  }
  const compared = new Map(plan.columns.map((c) => [c.name, c]));
  for (const name of key) {
    const column = compared.get(name);
    const s = sourceColumns.get(name);
    const t = targetColumns.get(name);
    if (!column || !s || !t) {
      plan.keyError =
        `Key column "${name}" of table "${plan.name}" is not a comparable column on both sides` +
        `${configured ? ' (from keyColumns)' : ''}: choose keyColumns present in source and target with compatible types.`;
      return;
    }
    const order = keyOrder(column.type);
    const padded = column.blankPadded ? { blankPadded: true } : {};
    plan.sourceKeys.push({ name, type: column.type, order, declaredType: storedTypeOf(s), nullable: s.nullable, ...padded });
    plan.targetKeys.push({ name, type: column.type, order, declaredType: storedTypeOf(t), nullable: t.nullable, ...padded });
  }
}

function describe(column: ColumnInfo): string {
  return `${column.declaredType || '(no type)'} (${column.logicalType})`;
}
