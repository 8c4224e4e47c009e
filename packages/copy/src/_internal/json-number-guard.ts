import { JsonNumber, UnsupportedError, type ColumnInfo, type DialectName } from '@switchyard/core';
import { keyText } from './refused-row';

/**
 * True for a SQLite or D1 JSON column that would not keep a bare JSON number's text: any
 * declared type without TEXT, CHAR, CLOB or BLOB (`JSON` included) has an affinity that
 * stores number-looking text as a number, and a double for one with more digits.
 */
export function roundsBareJsonNumbers(target: ColumnInfo, dialect: DialectName): boolean {
  if (dialect === 'postgres' || target.logicalType !== 'json') return false;
  const declared = target.declaredType.toUpperCase();
  return declared !== '' && !/CHAR|CLOB|TEXT|BLOB/.test(declared);
}

/** Throws when `value` is a {@link JsonNumber} that such a column would round. */
export function refuseBareJsonNumber(
  value: unknown,
  table: string,
  keyIndexes: readonly number[],
  row: readonly unknown[],
  target: ColumnInfo,
  dialect: DialectName,
): void {
  if (!(value instanceof JsonNumber)) return;
  throw new UnsupportedError(
    `Table "${table}", key (${keyText(row, keyIndexes)}), column "${target.name}": the JSON document is the bare number ${value.text.slice(0, 40)}, ` +
      `which a ${dialect} column declared ${target.declaredType} stores as a double, changing it. ` +
      `Declare the column TEXT on the target (it still holds JSON), then copy again.`,
    { dialect },
  );
}
