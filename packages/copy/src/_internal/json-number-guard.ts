import { JsonNumber, storesTextAsNumbers, UnsupportedError, type ColumnInfo, type DialectName } from '@switchyard/core';
import { keyText } from './refused-row';

/** True for such a JSON column, which would not keep a bare JSON number's text. */
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

/** The error for a value such a column would change: `what` names it, and the fix is a TEXT column. */
function roundedValueError(at: RefusedAt, what: string): UnsupportedError {
  return new UnsupportedError(
    `Table "${at.table}", key (${keyText(at.row, at.keyIndexes)}), column "${at.target.name}": ${what}, ` +
      `which a ${at.dialect} column declared ${at.target.declaredType} stores as a double, changing it. ` +
      `Declare the column TEXT on the target (translateSchema's columnTypes), then copy again.`,
    { dialect: at.dialect },
  );
}

/** Throws when `value` is a {@link JsonNumber} that such a column would round. */
export function refuseBareJsonNumber(value: unknown, at: RefusedAt): void {
  if (value instanceof JsonNumber) throw roundedValueError(at, `the JSON document is the bare number ${value.text.slice(0, 40)}`);
}
