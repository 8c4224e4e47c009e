import { ConstraintError, QueryError, type DatabaseAdapter, type Row } from '@switchyard/core';
import type { RowRef } from '../row-ref';
import type { ColumnTypeCache } from './column-types';
import { imageStatements, rowName, type RowImage, type TablePair } from './row-images';
import { currentRowsOf } from './row-resync';
import { rowDifferences } from './row-differences';
import type { TableCatalog } from './table-catalog';
import { readOn } from './failed-side';
import { displacingStatements, isUniqueViolation } from './unique-displace';
import { uniqueBlockers } from './unique-blockers';
import { dependentImages } from './cascade-rows';
import { updatedDependents } from './update-cascade-rows';
import { parentImages } from './parent-rows';

const PARENT_DEPTH = 4;
// SQLite and D1: this transaction's foreign keys are checked at its commit (reset after it).
const DEFER_FOREIGN_KEYS = { sql: 'PRAGMA defer_foreign_keys = ON', params: [] };

/**
 * Settling rows on the secondary from the primary: reading the primary's current rows
 * and applying them by key, copying missing parent rows first when the secondary's
 * foreign keys refuse a child, and comparing a side's rows with the primary's.
 */
export class RowSettler {
  readonly #catalog: TableCatalog;
  readonly #types: ColumnTypeCache;
  /** Counts parent rows copied ahead of their children. */
  onParents: (count: number) => void = () => {};

  constructor(catalog: TableCatalog, types: ColumnTypeCache) {
    this.#catalog = catalog;
    this.#types = types;
  }

  /** The primary's and the secondary's definitions of the tables of `images`. */
  async pairs(
    primary: DatabaseAdapter,
    secondary: DatabaseAdapter,
    tables: Iterable<string>,
    via: DatabaseAdapter = primary,
  ): Promise<(table: string) => TablePair> {
    const out = new Map<string, TablePair>();
    for (const name of new Set(tables)) {
      const source = await this.#catalog.table(primary, name, via);
      const target = await this.#catalog.table(secondary, name);
      if (!source || !target) throw noTable(source ? secondary : primary, name);
      out.set(name, { source, target });
    }
    return (table) => out.get(table)!;
  }

  /** {@link pairs} without waiting, when both sides' tables are read already; else `undefined`. */
  pairsNow(primary: DatabaseAdapter, secondary: DatabaseAdapter, tables: readonly string[]): ((table: string) => TablePair) | undefined {
    const out = new Map<string, TablePair>();
    for (const name of tables) {
      const source = this.#catalog.peek(primary, name);
      const target = this.#catalog.peek(secondary, name);
      if (!source || !target) return undefined;
      out.set(name, { source, target });
    }
    return (table) => out.get(table)!;
  }

  /**
   * Makes the secondary's rows equal to the primary's current ones. With `lock`, the
   * primary's rows are read `FOR UPDATE` in a primary transaction that stays open until
   * the secondary has them, so another instance's write to those rows lands after.
   */
  async resync(primary: DatabaseAdapter, secondary: DatabaseAdapter, refs: readonly RowRef[], lock = false): Promise<RowImage[]> {
    if (refs.length === 0) return [];
    if (lock && primary.capabilities.transactions) {
      // Every read of the primary inside goes through `tx`: on SQLite another call on the
      // adapter would wait for this very transaction.
      // Failures of the secondary's writes inside are marked as its own first.
      return readOn(
        primary,
        primary.transaction(async (tx) => {
          const images = await this.#read(primary, refs, true, tx);
          await this.apply(primary, secondary, images, 0, tx);
          return images;
        }),
      );
    }
    const images = await this.#read(primary, refs, false);
    await this.apply(primary, secondary, images);
    return images;
  }

  /**
   * {@link resync} of the rows among `refs` that differ on the secondary once the primary's
   * are read under their locks; returns those, with the reason. A row the secondary holds as
   * the primary does by then (another instance's write to it landed meanwhile) is left alone.
   */
  async settleDiffering(
    primary: DatabaseAdapter,
    secondary: DatabaseAdapter,
    refs: readonly RowRef[],
  ): Promise<{ ref: RowRef; reason: string }[]> {
    if (!primary.capabilities.transactions) {
      const differing = await this.differences(primary, secondary, refs);
      await this.resync(
        primary,
        secondary,
        differing.map((d) => d.ref),
      );
      return differing;
    }
    return readOn(
      primary,
      primary.transaction(async (tx) => {
        const images = await this.#read(primary, refs, true, tx);
        const rows = new Map(images.map((i) => [rowName(i.table, i.key), i.row]));
        const differing = await this.differences(primary, secondary, refs, undefined, rows);
        const wanted = new Set(differing.map((d) => rowName(d.ref.table, d.ref.key)));
        await this.apply(
          primary,
          secondary,
          images.filter((i) => wanted.has(rowName(i.table, i.key))),
          0,
          tx,
        );
        return differing;
      }),
    );
  }

  /** Applies images to the secondary in one batch, copying missing parents first if it must. */
  async apply(
    primary: DatabaseAdapter,
    secondary: DatabaseAdapter,
    images: readonly RowImage[],
    depth = 0,
    via: DatabaseAdapter = primary,
    deferForeignKeys = false,
  ): Promise<void> {
    if (images.length === 0) return;
    // Rows the primary's foreign key actions changed with the deleted ones go first; those
    // its ON UPDATE actions changed go after the rows whose values they follow.
    if (depth === 0) {
      const read = (r: readonly RowRef[]) => this.current(primary, r, via);
      const before = await dependentImages(this.#catalog, primary, secondary, images, read);
      const after = await updatedDependents(this.#catalog, primary, secondary, images, read, { settling: true, via });
      images = [...before, ...images, ...after];
    }
    const pairs = await this.pairs(
      primary,
      secondary,
      images.map((i) => i.table),
      via,
    );
    const statementsOf = (some: readonly RowImage[]) => imageStatements(some, pairs, primary.dialect, secondary);
    const statements = deferForeignKeys ? [DEFER_FOREIGN_KEYS, ...statementsOf(images)] : statementsOf(images);
    try {
      await readOn(secondary, secondary.batch(statements));
    } catch (error) {
      if (isUniqueViolation(error)) {
        // Rows that hold the images' unique values on the secondary only: settled with them.
        const blockers = depth < PARENT_DEPTH ? await readOn(secondary, uniqueBlockers(secondary, images, pairs, primary.dialect)) : [];
        if (blockers.length > 0) {
          const settled = await this.#read(primary, blockers, via !== primary, via);
          return this.apply(primary, secondary, [...settled, ...images], depth + 1, via);
        }
        // Rows that swapped unique values: written after their old versions are gone.
        const displacing = await readOn(secondary, displacingStatements(secondary, images, statementsOf));
        if (!displacing) throw error;
        return void (await readOn(secondary, secondary.batch(displacing)));
      }
      if (depth >= PARENT_DEPTH || !isForeignKeyError(error)) throw error;
      const copied = await this.copyParents(primary, secondary, images, depth + 1, via);
      if (copied === 0) throw error;
      await readOn(secondary, secondary.batch(statements));
    }
  }

  /**
   * Settles from the primary the secondary's rows that hold a unique value of `images`
   * under another key (see {@link uniqueBlockers}), so the images can be written. Returns
   * those rows.
   */
  async settleBlockers(primary: DatabaseAdapter, secondary: DatabaseAdapter, images: readonly RowImage[]): Promise<RowRef[]> {
    const pairs = await this.pairs(
      primary,
      secondary,
      images.map((i) => i.table),
    );
    const blockers = await readOn(secondary, uniqueBlockers(secondary, images, pairs, primary.dialect));
    if (blockers.length > 0) await this.resync(primary, secondary, blockers, true);
    return blockers;
  }

  /**
   * Copies from the primary the parent rows that `images` reference, so a child written
   * before the backfill reached its parent is not refused. Returns how many were copied.
   */
  async copyParents(
    primary: DatabaseAdapter,
    secondary: DatabaseAdapter,
    images: readonly RowImage[],
    depth = 1,
    via: DatabaseAdapter = primary,
  ): Promise<number> {
    // SQLite and D1 check foreign keys at commit under defer_foreign_keys, so a parent's own
    // parents go in the same batch and rows in a cycle land together; Postgres gets them
    // level by level (a refusal copies the next level), as its keys need not be deferrable.
    const deferring = secondary.dialect !== 'postgres';
    const read = (refs: readonly RowRef[]) => this.#read(primary, refs, false, via);
    const parents = await parentImages(this.#catalog, primary, images, read, via, deferring ? PARENT_DEPTH - depth + 1 : 1);
    if (parents.length === 0) return 0;
    await this.apply(primary, secondary, parents, depth, via, deferring);
    this.onParents(parents.length);
    return parents.length;
  }

  /**
   * Rows among `refs` whose state on `side` differs from the primary's, compared as
   * validation does (normalized by logical type), with the reason for each. `known`
   * holds rows of `side` already in hand by row name (`null`: known absent).
   */
  differences(
    primary: DatabaseAdapter,
    side: DatabaseAdapter,
    refs: readonly RowRef[],
    known?: ReadonlyMap<string, Row | null>,
    primaryRows?: ReadonlyMap<string, Row | null>,
  ): Promise<{ ref: RowRef; reason: string }[]> {
    return rowDifferences(this.#catalog, this.#types, { primary, side, refs, known, primaryRows });
  }

  /** The primary's current images of the rows `refs` name (read through `via`, inside a transaction of it). */
  current(primary: DatabaseAdapter, refs: readonly RowRef[], via: DatabaseAdapter = primary): Promise<RowImage[]> {
    return this.#read(primary, refs, false, via);
  }

  #read(primary: DatabaseAdapter, refs: readonly RowRef[], lock: boolean, via: DatabaseAdapter = primary): Promise<RowImage[]> {
    return currentRowsOf(primary, (table) => this.#catalog.table(primary, table, via), refs, { lock, via });
  }
}

/** A foreign key refused the write (Postgres 23503, SQLite's "FOREIGN KEY constraint failed"). */
export function isForeignKeyError(error: unknown): boolean {
  if (!(error instanceof ConstraintError)) return false;
  const cause = error.cause as { code?: string } | undefined;
  return cause?.code === '23503' || /foreign key/i.test(error.message);
}

/** The error of a write to a table a side does not have. */
export function noTable(side: DatabaseAdapter, name: string): QueryError {
  return new QueryError(`${side.name} has no table ${name}: create it there before writing to it.`, { dialect: side.dialect });
}
