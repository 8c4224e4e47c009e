import { statementKind, type DatabaseAdapter, type Row, type Statement, type TableInfo } from '@switchyard/core';
import { ColumnTypeCache, readTable } from '../_internal/column-types';
import { sameRows } from '../_internal/result-compare';
import type { RehearsalReport, RehearsedShape } from './rehearsal-report';
import { statementShape } from './statement-shape';
import { translateSqliteToPostgres, type Translation } from './sqlite-postgres-translate';

/** Options of {@link SqlRehearsal}. */
export interface SqlRehearsalOptions {
  /** The engine the app runs on now: its results are what reads are compared with. */
  source: DatabaseAdapter;
  /** The engine the app is moving to. Its data is never changed. */
  target: DatabaseAdapter;
  /**
   * Apply the SQLite -> Postgres translation table (`SQLITE_TO_POSTGRES`) before running
   * a statement on the target. Default: `true` when the source is SQLite or D1 and the
   * target is Postgres; there is no table for other pairs.
   */
  translate?: boolean;
  /** Compare a read's rows on the target with the primary's (shadow reads). Default `true`. */
  compareReads?: boolean;
  /** Distinct shapes kept; later new shapes are counted in `dropped` only. Default 1000. */
  maxShapes?: number;
}

// Thrown inside the target's transaction so that it rolls back after the statement ran.
const ROLLBACK = Symbol('rehearsal rollback');

/**
 * Rehearses the app's SQL on the engine it is moving to, while the old engine is still
 * primary: each distinct statement shape is run once on the target without changing its
 * data (a write inside a transaction that is rolled back, or under `EXPLAIN` where the
 * target has no transactions; a read as it is), and reported as working, failing with
 * the target's error, returning other rows than the primary did, or holding a
 * SQLite-only form outside the translation table.
 *
 * @example
 * ```ts
 * const rehearsal = new SqlRehearsal({ source: d1, target: postgres });
 * const dual = createDualWriteAdapter(d1, postgres, { rehearse: rehearsal });
 * // ... the app runs ...
 * await rehearsal.idle();
 * console.log(formatRehearsalReport(rehearsal.report()));
 * ```
 */
export class SqlRehearsal {
  readonly #source: DatabaseAdapter;
  readonly #target: DatabaseAdapter;
  readonly #translate: boolean;
  readonly #compareReads: boolean;
  readonly #maxShapes: number;
  readonly #shapes = new Map<string, RehearsedShape>();
  readonly #types: ColumnTypeCache;
  #tables: Promise<TableInfo[]> | undefined;
  #queue: Promise<void> = Promise.resolve();
  #statements = 0;
  /** New shapes seen after `maxShapes` was reached. */
  dropped = 0;

  constructor(options: SqlRehearsalOptions) {
    this.#source = options.source;
    this.#target = options.target;
    this.#translate = options.translate ?? (options.source.dialect !== 'postgres' && options.target.dialect === 'postgres');
    this.#compareReads = options.compareReads ?? true;
    this.#maxShapes = options.maxShapes ?? 1000;
    this.#types = new ColumnTypeCache(() => [this.#source, this.#target]);
  }

  /**
   * Notes one statement the app sent, with the primary's rows for a read. A shape seen
   * before is only counted; a new one is rehearsed on the target, one at a time, after
   * the call returns. Never throws: what goes wrong is what the report is for.
   *
   * @example
   * ```ts
   * const rows = await primary.query(sql, params);
   * void rehearsal.observe({ sql, params }, rows);
   * ```
   */
  observe(statement: Statement, primaryRows?: readonly Row[]): Promise<void> {
    this.#statements++;
    const kind = statementKind(statement.sql);
    if (kind === 'transaction-control') return this.#queue;
    const shape = statementShape(statement.sql);
    const seen = this.#shapes.get(shape);
    if (seen) {
      seen.count++;
      return this.#queue;
    }
    if (this.#shapes.size >= this.#maxShapes) {
      this.dropped++;
      return this.#queue;
    }
    const entry: RehearsedShape = {
      shape,
      example: statement.sql,
      kind,
      count: 1,
      outcome: 'works',
      translated: [],
      untranslated: [],
      method: kind === 'read' ? 'read' : 'rolled-back',
    };
    this.#shapes.set(shape, entry);
    const params = statement.params ?? [];
    this.#queue = this.#queue.then(() => this.#rehearse(entry, statement.sql, params, primaryRows)).catch(() => {});
    return this.#queue;
  }

  /**
   * Resolves once every shape observed so far has been rehearsed.
   *
   * @example
   * ```ts
   * await rehearsal.idle();
   * ```
   */
  idle(): Promise<void> {
    return this.#queue;
  }

  /**
   * What the rehearsal found so far, shapes in the order the app first sent them.
   *
   * @example
   * ```ts
   * const failing = rehearsal.report().shapes.filter((s) => s.outcome !== 'works');
   * ```
   */
  report(): RehearsalReport {
    const shapes = [...this.#shapes.values()].map((s) => ({ ...s }));
    const totals = { shapes: shapes.length, statements: this.#statements, works: 0, fails: 0, differs: 0, untranslated: 0 };
    for (const s of shapes) totals[s.outcome]++;
    return { source: this.#source.name, target: this.#target.name, shapes, totals };
  }

  async #rehearse(entry: RehearsedShape, sql: string, params: readonly unknown[], primaryRows: readonly Row[] | undefined): Promise<void> {
    if (entry.kind === 'schema') this.#tables = undefined;
    const translation: Translation = this.#translate
      ? translateSqliteToPostgres(sql, await this.#targetTables())
      : { sql, applied: [], untranslated: [] };
    entry.translated = translation.applied;
    entry.untranslated = translation.untranslated;
    if (translation.sql !== sql) entry.targetSql = translation.sql;
    try {
      if (entry.kind === 'read') {
        const rows = await this.#target.query<Row>(translation.sql, params);
        if (this.#compareReads && primaryRows && !(await sameRows(this.#types, readTable(sql), primaryRows, rows))) {
          entry.outcome = 'differs';
          entry.difference =
            `the primary returned ${primaryRows.length} rows, ${this.#target.name} ${rows.length}` +
            (primaryRows.length === rows.length ? ' with other values' : '');
        }
      } else if (this.#target.capabilities.transactions) {
        await this.#target
          .transaction(async (tx) => {
            await tx.execute(translation.sql, params);
            throw ROLLBACK;
          })
          .catch((error: unknown) => {
            if (error !== ROLLBACK) throw error;
          });
      } else {
        entry.method = 'explain';
        await this.#target.query(`EXPLAIN ${translation.sql}`, params);
      }
    } catch (error) {
      entry.outcome = 'fails';
      entry.error = error instanceof Error ? error.message : String(error);
    }
    if (entry.untranslated.length > 0) entry.outcome = 'untranslated';
    if (entry.kind === 'schema') this.#types.invalidate();
  }

  #targetTables(): Promise<TableInfo[]> {
    this.#tables ??= this.#target.introspect().catch(() => []);
    return this.#tables;
  }
}
