import type { Row } from '@switchyard/core';
import { compareKeys, KeyValueError, type KeyPart } from './key-codec';
import { KeysetReader, type RangeFilter } from './keyset-reader';
import { compareRow } from './row-compare';
import { jsonReads } from './json-reads';
import { tableRef } from './sql-text';
import { yieldMacrotask } from './yield-macrotask';
import type { TableRun } from './table-run';

/** Per-side key ranges for {@link mergeCompare}: the same range, written for each engine. */
export interface MergeRange {
  source: RangeFilter;
  target: RangeFilter;
}

/** One side of the merge: its reader, the current page and the current row's key. */
class Side {
  page: Row[] | null = null;
  index = 0;
  key: KeyPart[] | undefined;
  previous: KeyPart[] | undefined;
  rows = 0;
  ended = false;

  constructor(
    readonly name: 'source' | 'target',
    readonly reader: KeysetReader,
    readonly run: TableRun,
  ) {}

  /** True when {@link row} can answer without reading: a row is at hand, or the side has ended. */
  ready(): boolean {
    return this.ended || (this.page !== null && this.index < this.page.length);
  }

  /** Reads pages until a row is at hand or the side has ended. */
  async fill(): Promise<void> {
    while (!this.ready()) {
      const next = await this.reader.next();
      if (!next) {
        this.ended = true;
        break;
      }
      this.page = next;
      this.index = 0;
      this.rows += next.length;
      if (this.name === 'source') this.run.progress();
    }
  }

  /** The current row (after {@link fill}), with its key worked out; `undefined` at the end. */
  row(): Row | undefined {
    if (this.ended) return undefined;
    const row = this.page![this.index]!;
    if (!this.key) {
      this.key = this.run.codec.parts(row);
      if (this.previous && compareKeys(this.previous, this.key) >= 0) {
        throw new KeyValueError(
          `The ${this.name} returned key ${JSON.stringify(this.key.map(String))} after ${JSON.stringify(this.previous.map(String))} in table "${this.run.plan.name}": ` +
            'its engine orders these keys differently from the other side (mixed value types in a key column?). Validate this table with sampling, or choose other keyColumns.',
        );
      }
    }
    return row;
  }

  advance(): void {
    this.previous = this.key;
    this.key = undefined;
    this.index++;
  }
}

/**
 * Compares both sides row by row in key order: a streaming merge join over two
 * keyset-paginated reads, so memory is bounded by the page size whatever the table's
 * size. Keys only in the source are missing in the target, keys only in the target
 * are extra, and rows under the same key are compared column by column.
 */
export async function mergeCompare(run: TableRun, range?: MergeRange): Promise<{ source: number; target: number }> {
  const { plan, collector, codec } = run;
  const columns = plan.columns.map((c) => c.name);
  const reader = (side: 'source' | 'target') =>
    new KeysetReader({
      adapter: run[side],
      table: tableRef(plan[side]!),
      columns,
      asText: jsonReads(plan, side, run[side].dialect, run[side === 'source' ? 'target' : 'source'].dialect),
      keys: side === 'source' ? plan.sourceKeys : plan.targetKeys,
      pageSize: run.pageSize,
      range: range?.[side],
    });
  const source = new Side('source', reader('source'), run);
  const target = new Side('target', reader('target'), run);
  try {
    // Both queries go out before either is awaited: the engines work at the same time.
    // SQLite reads synchronously: start the other engine first and let its query go out.
    const [first, second] = run.source.dialect === 'sqlite' ? [target, source] : [source, target];
    first.reader.start();
    if (first.run[first.name].dialect !== 'sqlite') await yieldMacrotask();
    second.reader.start();
    for (;;) {
      // Awaiting only at page boundaries keeps the per-row loop synchronous.
      if (!source.ready()) await source.fill();
      if (!target.ready()) await target.fill();
      const s = source.row();
      const t = target.row();
      if (!s && !t) break;
      const order = !s ? 1 : !t ? -1 : compareKeys(source.key!, target.key!);
      if (order < 0) {
        collector.missing(codec.rawKey(s!));
        source.advance();
      } else if (order > 0) {
        collector.extra(codec.rawKey(t!));
        target.advance();
      } else {
        collector.rowsCompared++;
        const diff = compareRow(s!, t!, plan.columns, run.normalize);
        if (diff) collector.different(codec.rawKey(s!), diff);
        source.advance();
        target.advance();
      }
    }
  } finally {
    source.reader.close();
    target.reader.close();
  }
  return { source: source.rows, target: target.rows };
}
