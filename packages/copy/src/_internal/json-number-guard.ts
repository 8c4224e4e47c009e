import { JsonNumber, storesTextAsNumbers, UnsupportedError, type ColumnInfo, type DialectName } from '@switchyard/core';
import { keyText } from './refused-row';

/** True for a SQLite or D1 JSON column that stores number-looking text as a number (core's `storesTextAsNumbers`): it would not keep a bare JSON number's text. */
export function roundsBareJsonNumbers(target: ColumnInfo, dialect: DialectName): boolean {
  return target.logicalType === 'json' && storesTextAsNumbers(target, dialect);
}

/** Where a refused value was: the table, its key columns' positions in `row`, the row, the target column and engine. */
interface RefusedAt {
  table: string;
  keyIndexes: readonly number[];
  row: readonly unknown[];
  target: ColumnInfo;
  dialect: DialectName;
}

/** Throws when `value` is a {@link JsonNumber} that such a column would round; the fix is a TEXT column. */
export function refuseBareJsonNumber(value: unknown, at: RefusedAt): void {
  if (!(value instanceof JsonNumber)) return;
  throw new UnsupportedError(
    `Table "${at.table}", key (${keyText(at.row, at.keyIndexes)}), column "${at.target.name}": the JSON document is the bare number ${value.text.slice(0, 40)}, ` +
      `which a ${at.dialect} column declared ${at.target.declaredType} stores as a double, changing it. ` +
      `Declare the column TEXT on the target (translateSchema's columnTypes), then copy again.`,
    { dialect: at.dialect },
  );
}
