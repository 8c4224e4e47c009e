import { quoteIdentifier } from './sql-identifier';
import { INTERNAL_TABLE } from './sqlite-introspector';
import { isSwitchyardTable } from './switchyard-tables';
import type { DatabaseAdapter } from './types';

/**
 * What hands out a table's keys: a Postgres sequence (serial, bigserial, identity), a
 * SQLite/D1 `AUTOINCREMENT` counter (`sqlite_sequence`), or a plain SQLite/D1
 * `INTEGER PRIMARY KEY`, which takes `max(rowid) + 1` and has no counter at all.
 *
 * @example
 * ```ts
 * const movable = (kind: KeyGeneratorKind) => kind !== 'rowid';
 * ```
 */
export type KeyGeneratorKind = 'sequence' | 'autoincrement' | 'rowid';

/**
 * Where one table's key generator stands. Numbers are exact decimal strings, so int8
 * keys beyond 2^53 survive on every engine.
 *
 * @example
 * ```ts
 * const g: KeyGenerator = { table: 'notes', schema: 'public', column: 'id', kind: 'sequence',
 *   position: '32098', counter: '32098', maxKey: '16049', sequence: 'public.notes_id_seq' };
 * ```
 */
export interface KeyGenerator {
  table: string;
  /** The table's schema, on Postgres. */
  schema?: string;
  /**
   * The generated column: on Postgres any integer column that owns a sequence (in the key,
   * a composite key, or none); on SQLite and D1 the single-column `INTEGER PRIMARY KEY`.
   */
  column: string;
  kind: KeyGeneratorKind;
  /** The highest key handed out or present: the larger of `counter` and `maxKey`. */
  position: string;
  /**
   * The generator's own high-water mark: a sequence's `last_value` (less one increment
   * when it was never called), the `sqlite_sequence` entry (`'0'` when absent). Absent for `'rowid'`.
   */
  counter?: string;
  /** `max(key)` in the table now, `'0'` when it is empty. */
  maxKey: string;
  /** The sequence, schema-qualified and quoted as Postgres prints it, for `'sequence'`. */
  sequence?: string;
}

/**
 * What {@link advanceKeyGenerators} did to one generator of the target.
 *
 * @example
 * ```ts
 * const done: AdvancedGenerator = { table: 'notes', column: 'id', kind: 'sequence', from: '0', to: '32098', moved: true };
 * ```
 */
export interface AdvancedGenerator {
  table: string;
  schema?: string;
  column: string;
  kind: KeyGeneratorKind;
  /** Where the target's generator stood before (its counter; for `'rowid'`, `max(rowid)`). */
  from: string;
  /** Where it stands now: the next generated key is above it (for `'rowid'`, `max(rowid) + 1` is next). */
  to: string;
  /** Whether the generator was moved. Never backwards: `to >= from`. */
  moved: boolean;
  /** Why nothing moved when the other side is ahead and nothing could be done (a rowid key). */
  note?: string;
}

/**
 * Options of {@link readKeyGenerators} and {@link advanceKeyGenerators}.
 *
 * @example
 * ```ts
 * await readKeyGenerators(postgres, { tables: ['notes'], schemas: ['public', 'billing'] });
 * ```
 */
export interface KeyGeneratorOptions {
  /** Only these tables (case-insensitive). Default: every table with a generated integer key. */
  tables?: readonly string[];
  /** Postgres schemas to read. Default: the connection's `search_path` (`current_schemas(false)`). */
  schemas?: readonly string[];
}

/**
 * Reads every engine-generated integer column and where its generator stands: Postgres
 * serial and identity sequences (whether the column is the key, part of one, or in none),
 * SQLite/D1 `AUTOINCREMENT` counters, and plain
 * SQLite/D1 `INTEGER PRIMARY KEY`s (kind `'rowid'`). Switchyard's own tables are left out.
 * Uses only `query()`/`first()`, choosing SQL by `adapter.dialect`, so it runs on any adapter.
 *
 * @example
 * ```ts
 * const positions = await readKeyGenerators(oldPrimary);
 * // [{ table: 'notes', column: 'id', kind: 'sequence', position: '32098', maxKey: '16049', ... }]
 * ```
 */
export async function readKeyGenerators(adapter: DatabaseAdapter, options: KeyGeneratorOptions = {}): Promise<KeyGenerator[]> {
  const wanted = options.tables && new Set(options.tables.map((t) => t.toLowerCase()));
  // Tables are chosen before their generators are read: each read looks up the table's max(key).
  const chosen = (table: string) => !wanted || wanted.has(table.toLowerCase());
  return adapter.dialect === 'postgres' ? await readPostgres(adapter, chosen, options.schemas) : await readSqlite(adapter, chosen);
}

/**
 * Moves each of the target's key generators past both its own `max(key)` and the position
 * `past` gives for the same table and column (matched case-insensitively; on Postgres the
 * same schema is preferred), so the target's next generated key is above every key the
 * other side handed out. Never moves a generator backwards. Postgres sequences (serial,
 * identity `BY DEFAULT` and `ALWAYS`) move with `setval`, SQLite/D1 `AUTOINCREMENT` counters
 * through `sqlite_sequence`; a plain `INTEGER PRIMARY KEY` has nothing to move (SQLite
 * always takes `max(rowid) + 1`) and is reported with `moved: false` and a `note`.
 *
 * @example
 * ```ts
 * const done = await advanceKeyGenerators(newPrimary, await readKeyGenerators(oldPrimary));
 * for (const g of done) if (g.note) console.warn(g.table, g.note);
 * ```
 */
export async function advanceKeyGenerators(
  target: DatabaseAdapter,
  past: readonly KeyGenerator[],
  options: KeyGeneratorOptions = {},
): Promise<AdvancedGenerator[]> {
  const done: AdvancedGenerator[] = [];
  for (const own of await readKeyGenerators(target, options)) {
    const other = counterpart(own, past);
    const wanted = max(BigInt(own.maxKey), other ? BigInt(other.position) : 0n);
    const result = { table: own.table, ...(own.schema === undefined ? {} : { schema: own.schema }), column: own.column, kind: own.kind };
    if (own.kind === 'rowid') {
      const note =
        wanted > BigInt(own.maxKey)
          ? `${own.table}.${own.column} is a plain INTEGER PRIMARY KEY: SQLite hands out max(rowid) + 1 = ${BigInt(own.maxKey) + 1n}, ` +
            `not above ${wanted}. Declare it AUTOINCREMENT, or let the application choose ids.`
          : undefined;
      done.push({ ...result, from: own.maxKey, to: own.maxKey, moved: false, ...(note ? { note } : {}) });
      continue;
    }
    const from = own.counter ?? '0';
    if (wanted <= BigInt(from)) {
      done.push({ ...result, from, to: from, moved: false });
      continue;
    }
    const to =
      own.kind === 'sequence' ? await setSequence(target, own.sequence!, wanted) : await setSqliteSequence(target, own.table, wanted);
    done.push({ ...result, from, to, moved: BigInt(to) > BigInt(from) });
  }
  return done;
}

interface PostgresKeyRow {
  schema_name: string;
  table_name: string;
  column_name: string;
  sequence_name: string;
}

async function readPostgres(
  adapter: DatabaseAdapter,
  chosen: (table: string) => boolean,
  schemas: readonly string[] | undefined,
): Promise<KeyGenerator[]> {
  // Every integer column that owns a sequence (serial, bigserial, identity), in a key or not: a
  // partitioned table's id shares its key with the partition column, an audit table's seq is in none,
  // and either would hand out its values again after a switch. So does a column whose default
  // draws from a sequence it does not own (`DEFAULT nextval('order_id_seq')` written by hand, one
  // sequence shared by several tables): the default's dependency names it. Descending sequences
  // are left out: "past a position" means nothing for them.
  const keys = await adapter.query<PostgresKeyRow>(
    `WITH keys AS (
       SELECT n.nspname AS schema_name, c.relname AS table_name, a.attname AS column_name, a.attnum,
              COALESCE(pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname),
                (SELECT format('%I.%I', sn.nspname, s.relname)
                 FROM pg_attrdef ad
                 JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid AND d.refclassid = 'pg_class'::regclass
                 JOIN pg_class s ON s.oid = d.refobjid AND s.relkind = 'S'
                 JOIN pg_namespace sn ON sn.oid = s.relnamespace
                 WHERE ad.adrelid = c.oid AND ad.adnum = a.attnum
                 ORDER BY s.oid LIMIT 1)) AS sequence_name
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
         AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)
         AND (a.attidentity <> '' OR a.atthasdef)
         AND n.nspname IN (${schemas ? 'SELECT jsonb_array_elements_text(?::jsonb)' : 'SELECT unnest(current_schemas(false))'}))
     SELECT k.schema_name, k.table_name, k.column_name, k.sequence_name
     FROM keys k JOIN pg_sequence s ON s.seqrelid = k.sequence_name::regclass
     WHERE s.seqincrement > 0
     ORDER BY k.schema_name, k.table_name, k.attnum`,
    schemas ? [JSON.stringify(schemas)] : [],
  );
  const out: KeyGenerator[] = [];
  for (const key of keys) {
    if (isSwitchyardTable(key.table_name) || !chosen(key.table_name)) continue;
    const tableRef = `${quoteIdentifier(key.schema_name)}.${quoteIdentifier(key.table_name)}`;
    // pg_get_serial_sequence prints the name quoted and qualified, ready to select from.
    const state = await adapter.first<{ last_value: string; is_called: boolean; top: string | null }>(
      `SELECT last_value::text AS last_value, is_called,
              (SELECT CAST(max(${quoteIdentifier(key.column_name)}) AS TEXT) FROM ${tableRef}) AS top
       FROM ${key.sequence_name}`,
    );
    // A sequence never called has handed out nothing: its first value is last_value itself.
    const counter = state!.is_called ? BigInt(state!.last_value) : BigInt(state!.last_value) - 1n;
    const maxKey = state!.top ?? '0';
    out.push({
      table: key.table_name,
      schema: key.schema_name,
      column: key.column_name,
      kind: 'sequence',
      position: max(counter, BigInt(maxKey)).toString(),
      counter: counter.toString(),
      maxKey,
      sequence: key.sequence_name,
    });
  }
  return out;
}

async function readSqlite(adapter: DatabaseAdapter, chosen: (table: string) => boolean): Promise<KeyGenerator[]> {
  const tables = await adapter.query<{ name: string; sql: string | null }>(
    "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name",
  );
  const out: KeyGenerator[] = [];
  for (const { name, sql } of tables) {
    if (INTERNAL_TABLE.test(name) || isSwitchyardTable(name) || !chosen(name) || /\bWITHOUT\s+ROWID\b/i.test(sql ?? '')) continue;
    const columns = await adapter.query<{ name: string; type: string; pk: number | bigint }>(`PRAGMA table_info(${quoteIdentifier(name)})`);
    const keys = columns.filter((c) => Number(c.pk) > 0);
    // Only a column declared exactly INTEGER aliases the rowid; INT or BIGINT keys are not generated.
    if (keys.length !== 1 || !/^integer$/i.test(keys[0]!.type.trim())) continue;
    const column = keys[0]!.name;
    const top = await adapter.first<{ top: string | null }>(
      `SELECT CAST(max(${quoteIdentifier(column)}) AS TEXT) AS top FROM ${quoteIdentifier(name)}`,
    );
    const maxKey = top?.top ?? '0';
    if (!/\bAUTOINCREMENT\b/i.test(sql ?? '')) {
      out.push({ table: name, column, kind: 'rowid', position: maxKey, maxKey });
      continue;
    }
    // sqlite_sequence exists once an AUTOINCREMENT table does; a table never written to has no row yet.
    const seq = await adapter.first<{ seq: string | null }>('SELECT CAST(seq AS TEXT) AS seq FROM sqlite_sequence WHERE name = ?', [name]);
    const counter = seq?.seq ?? '0';
    out.push({ table: name, column, kind: 'autoincrement', position: max(BigInt(counter), BigInt(maxKey)).toString(), counter, maxKey });
  }
  return out;
}

/** setval in one statement with the sequence's current state, so a concurrent nextval is never undone. */
async function setSequence(target: DatabaseAdapter, sequence: string, wanted: bigint): Promise<string> {
  const row = await target.first<{ now: string }>(
    `SELECT setval(?::regclass, GREATEST(?::bigint, CASE WHEN is_called THEN last_value ELSE last_value - 1 END), true)::text AS now
     FROM ${sequence}`,
    [sequence, wanted.toString()],
  );
  return row!.now;
}

async function setSqliteSequence(target: DatabaseAdapter, table: string, wanted: bigint): Promise<string> {
  // sqlite_sequence has no unique key on name: insert the row when missing, then raise it, atomically.
  // The value travels as text and is cast in SQL, so D1 never rounds it.
  const value = wanted.toString();
  await target.batch([
    {
      sql: 'INSERT INTO sqlite_sequence (name, seq) SELECT ?, 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?)',
      params: [table, table],
    },
    {
      sql: 'UPDATE sqlite_sequence SET seq = CAST(? AS INTEGER) WHERE name = ? AND seq < CAST(? AS INTEGER)',
      params: [value, table, value],
    },
  ]);
  const row = await target.first<{ seq: string }>('SELECT CAST(seq AS TEXT) AS seq FROM sqlite_sequence WHERE name = ?', [table]);
  return row!.seq;
}

function counterpart(own: KeyGenerator, past: readonly KeyGenerator[]): KeyGenerator | undefined {
  const same = past.filter((p) => p.table.toLowerCase() === own.table.toLowerCase() && p.column.toLowerCase() === own.column.toLowerCase());
  const sameSchema = same.find((p) => p.schema !== undefined && p.schema.toLowerCase() === own.schema?.toLowerCase());
  // Several schemas hold a table of that name and none is ours: stay above all of them.
  return sameSchema ?? same.sort((a, b) => (BigInt(b.position) > BigInt(a.position) ? 1 : -1))[0];
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
