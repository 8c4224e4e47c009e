import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import {
  exactJsonText,
  InvalidArgumentError,
  postgresTimestampText,
  qualifiedTableName,
  toPostgresPlaceholders,
  quoteIdentifier,
  type NativeHandle,
  type PgNativeClient,
  type Statement,
  type TableInfo,
} from '@switchyard/core';
import type { OnConflict } from '../copy-options';
import { conflictClause, type RowWriter } from './insert-writer';
import { keyText, refusedRowError } from './refused-row';
import type { CopyText } from './sqlite-copy-text';

/** What lends the COPY path one pg connection: the target's native handle. */
type ConnectionLender = Extract<NativeHandle, { kind: 'pg' }>;

type CopyFrom = (sql: string) => NodeJS.WritableStream;
let copyFromPromise: Promise<CopyFrom | undefined> | undefined;

/** pg-copy-streams is an optional peer: without it the copy falls back to multi-row INSERT. */
export function loadCopyFrom(): Promise<CopyFrom | undefined> {
  copyFromPromise ??= import('pg-copy-streams').then(
    (m: { from?: CopyFrom; default?: { from?: CopyFrom } }) => m.from ?? m.default?.from,
    () => undefined,
  );
  return copyFromPromise;
}

// Which staging tables exist on which connection: temp tables live as long as the session.
const staged = new WeakMap<object, Set<string>>();

/**
 * The Postgres fast path: the batch is streamed with `COPY … FROM STDIN` (text format)
 * into a temporary staging table on the same connection, then moved into the real
 * table with one `INSERT … SELECT … ON CONFLICT`, so `onConflict` keeps its meaning at
 * COPY speed. The staging table, the insert and the checkpoint advance share one
 * transaction.
 *
 * Most batches of a backfill conflict with nothing, so a batch is first copied straight
 * into the table under a savepoint; only when that hits a unique violation is it rolled
 * back to the savepoint and sent through the staging table (and the next few batches go
 * there directly, since conflicts come in runs). The outcome is the same either way:
 * every row either inserted or resolved by `onConflict`. With `onConflict: 'error'`
 * there is no staging table: a duplicate fails the batch.
 */
export class PostgresCopyWriter implements RowWriter {
  readonly method = 'copy' as const;
  readonly #target: ConnectionLender;
  readonly #copyFrom: CopyFrom;
  readonly #stage: string;
  readonly #createStage: string;
  readonly #copySql: string;
  readonly #insertSql: string | undefined;
  readonly #directSql: string;
  readonly #table: string;
  readonly #columns: readonly string[];
  readonly #keyIndexes: number[];
  /** Batches left to send through the staging table before trying a direct COPY again. */
  #stagedRun = 0;

  constructor(
    target: ConnectionLender,
    copyFrom: CopyFrom,
    table: TableInfo,
    columns: readonly string[],
    onConflict: OnConflict,
    overriding: boolean,
  ) {
    this.#target = target;
    this.#copyFrom = copyFrom;
    this.#table = table.name;
    this.#columns = columns;
    this.#keyIndexes = table.primaryKey.map((k) => columns.indexOf(k));
    const ref = qualifiedTableName(table, 'postgres');
    const cols = columns.map(quoteIdentifier).join(', ');
    this.#stage = quoteIdentifier(('sy_stage_' + table.name.replace(/\W/g, '_')).slice(0, 50) + '_' + hash(ref + cols));
    this.#createStage = `CREATE TEMP TABLE IF NOT EXISTS ${this.#stage} ON COMMIT DELETE ROWS AS SELECT ${cols} FROM ${ref} WITH NO DATA`;
    this.#directSql = `COPY ${ref} (${cols}) FROM STDIN`;
    if (onConflict === 'error') {
      this.#copySql = this.#directSql;
    } else {
      this.#copySql = `COPY ${this.#stage} (${cols}) FROM STDIN`;
      this.#insertSql =
        `INSERT INTO ${ref} (${cols})${overriding ? ' OVERRIDING SYSTEM VALUE' : ''} SELECT ${cols} FROM ${this.#stage}` +
        conflictClause(columns, table.primaryKey, onConflict);
    }
  }

  async write(
    rows: unknown[][] | CopyText,
    checkpoint: Statement | undefined,
    onSent?: () => void,
  ): Promise<{ written: number; claimed: boolean }> {
    const count = Array.isArray(rows) ? rows.length : rows.count;
    // Postgres text cannot hold NUL, and SQLite's own string functions stop at one: a page
    // with a NUL is refused before any of it is sent.
    const nul = Array.isArray(rows) ? findNulInRows(rows) : findNulInText(rows.text);
    if (nul) throw this.#nulError(nul);
    return this.#target.withConnection(async (client) => {
      // The checkpoint commits in the same transaction as its rows, so a commit lost to a
      // server crash loses both and the copy re-reads that batch: no need to wait for the
      // WAL flush on every batch.
      await client.query('BEGIN; SET LOCAL synchronous_commit = off');
      let created = false;
      try {
        let written = count;
        if (count > 0) {
          // Decided once per batch: other lanes share this writer and move the counter meanwhile.
          let viaStage = this.#insertSql !== undefined && this.#stagedRun > 0;
          if (this.#insertSql && !viaStage) {
            await client.query('SAVEPOINT sy_direct');
            try {
              await this.#copy(client, this.#directSql, rows, onSent);
              await client.query('RELEASE SAVEPOINT sy_direct');
            } catch (error) {
              if ((error as { code?: unknown }).code !== '23505') throw error;
              await client.query('ROLLBACK TO SAVEPOINT sy_direct');
              this.#stagedRun = STAGED_RUN;
              viaStage = true;
            }
          } else if (!this.#insertSql) {
            await this.#copy(client, this.#copySql, rows, onSent);
          }
          if (viaStage) {
            const tables = staged.get(client) ?? new Set<string>();
            if (!tables.has(this.#stage)) {
              await client.query(this.#createStage);
              created = true;
              tables.add(this.#stage);
              staged.set(client, tables);
            }
            await this.#copy(client, this.#copySql, rows, onSent);
            written = (await client.query(this.#insertSql!)).rowCount ?? 0;
            if (this.#stagedRun > 0) this.#stagedRun--;
          }
        }
        let claimed = true;
        if (checkpoint) {
          const result = await client.query(toPostgresPlaceholders(checkpoint.sql), [...(checkpoint.params ?? [])]);
          claimed = (result.rowCount ?? 0) > 0;
        }
        await client.query('COMMIT');
        return { written, claimed };
      } catch (error) {
        // A staging table created in this transaction is gone with the rollback.
        if (created) staged.get(client)?.delete(this.#stage);
        await client.query('ROLLBACK').catch(() => {});
        throw refusedRowError(error, this.#table, rows, this.#columns, this.#keyIndexes) ?? error;
      }
    });
  }

  #nulError({ row, column }: { row: unknown[]; column: number }): InvalidArgumentError {
    const key = keyText(row, this.#keyIndexes);
    return new InvalidArgumentError(
      `Table "${this.#table}", key (${key}), column "${this.#columns[column] ?? column}": the value contains a NUL character (\\0), ` +
        "which PostgreSQL text cannot store. Remove it at the source (e.g. UPDATE … SET col = replace(col, char(0), '')), " +
        'or pass a transform that strips it; a bytea/BLOB column keeps NUL bytes.',
      { dialect: 'postgres' },
    );
  }

  async #copy(client: PgNativeClient, sql: string, rows: unknown[][] | CopyText, onSent?: () => void): Promise<void> {
    const stream = client.query(this.#copyFrom(sql)) as unknown as NodeJS.WritableStream;
    if (Array.isArray(rows)) {
      await pipeline(Readable.from(encodeChunks(rows)), stream);
      return;
    }
    // The page is one string: hand it over, let the caller prepare the next page while
    // Postgres parses this one, then wait for the server's answer.
    const done = finished(stream);
    stream.end(rows.text);
    onSent?.();
    await done;
  }
}

const CHUNK_ROWS = 2000;
// After a conflict, this many batches go through the staging table before a direct COPY is tried again.
const STAGED_RUN = 4;

function* encodeChunks(rows: unknown[][]): Generator<string> {
  let out = '';
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    let line = '';
    for (let c = 0; c < row.length; c++) line += (c === 0 ? '' : '\t') + encodeText(row[c]);
    out += line + '\n';
    if ((i + 1) % CHUNK_ROWS === 0) {
      yield out;
      out = '';
    }
  }
  if (out) yield out;
}

const NEEDS_ESCAPE = /[\\\n\r\t]/;

/** The first string value holding a NUL, with its row. */
function findNulInRows(rows: unknown[][]): { row: unknown[]; column: number } | undefined {
  for (const row of rows) {
    for (let c = 0; c < row.length; c++) {
      const v = row[c];
      if (typeof v === 'string' && v.includes('\0')) return { row, column: c };
    }
  }
  return undefined;
}

/** The same for a page of COPY text; keys are shown as COPY text (escaped). */
function findNulInText(text: string): { row: unknown[]; column: number } | undefined {
  const at = text.indexOf('\0');
  if (at < 0) return undefined;
  const start = text.lastIndexOf('\n', at) + 1;
  const end = text.indexOf('\n', at);
  const line = text.slice(start, end < 0 ? undefined : end);
  return { row: line.split('\t'), column: text.slice(start, at).split('\t').length - 1 };
}

/** One value in COPY's text format: `\N` for NULL, backslash escapes for the delimiter and line breaks. */
export function encodeText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return NEEDS_ESCAPE.test(value) ? escape(value) : value;
    case 'number':
      return Number.isFinite(value) ? String(value) : Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 't' : 'f';
    case 'undefined':
      return '\\N';
  }
  if (value === null) return '\\N';
  if (value instanceof Date) return postgresTimestampText(value);
  if (value instanceof Uint8Array) return '\\\\x' + Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  return escape(exactJsonText(value));
}

function escape(s: string): string {
  return s.replace(/[\\\n\r\t]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\n' ? '\\n' : ch === '\r' ? '\\r' : '\\t'));
}

function hash(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}
