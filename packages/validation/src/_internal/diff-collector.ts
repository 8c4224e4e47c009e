import type { ColumnDifference, RowDifference, RowKey } from '../validation-types';

/**
 * Counts every difference and keeps the first `max` of each kind, so a table with a
 * million differences reports exact counts in bounded memory.
 */
export class DiffCollector {
  readonly missingInTarget: RowKey[] = [];
  readonly extraInTarget: RowKey[] = [];
  readonly differentRows: RowDifference[] = [];
  missingInTargetCount = 0;
  extraInTargetCount = 0;
  differentRowsCount = 0;
  rowsCompared = 0;
  truncated = false;
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  missing(key: RowKey): void {
    this.missingInTargetCount++;
    this.#keep(this.missingInTarget, key);
  }

  extra(key: RowKey): void {
    this.extraInTargetCount++;
    this.#keep(this.extraInTarget, key);
  }

  different(key: RowKey, columns: ColumnDifference[]): void {
    this.differentRowsCount++;
    this.#keep(this.differentRows, { key, columns });
  }

  #keep<T>(list: T[], item: T): void {
    if (list.length < this.#max) list.push(item);
    else this.truncated = true;
  }
}
