import { storedTypeOf } from './logical-type';
import { UnholdableValue } from './unholdable-value';
import type { ColumnInfo } from './types';
import type { Converter } from './value-convert';

/**
 * The scale of a Postgres `numeric(p, s)` column (`numeric(p)` has scale 0), or `undefined`
 * for a `numeric` without one, which keeps every digit it is given.
 *
 * @example
 * ```ts
 * numericScaleOf({ declaredType: 'numeric(10,2)' }) // 2
 * numericScaleOf({ declaredType: 'numeric' })       // undefined
 * ```
 */
export function numericScaleOf(column: Pick<ColumnInfo, 'declaredType' | 'baseType'>): number | undefined {
  const m = /^(?:numeric|decimal)\s*\(\s*\d+\s*(?:,\s*(-?\d+)\s*)?\)$/i.exec(storedTypeOf(column));
  return m ? Number(m[1] ?? 0) : undefined;
}

/**
 * The fewest fraction digits that write a number exactly (negative when it ends in zeros
 * before the point: 1200 needs -2), or `undefined` for text that is not a plain decimal.
 */
function scaleNeeded(text: string): number | undefined {
  const m = /^[+-]?(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text.trim());
  if (!m || (m[1] === '' && !m[2])) return undefined;
  const digits = `${m[1]}${m[2] ?? ''}`.replace(/0+$/, '');
  if (!/[1-9]/.test(digits)) return Number.NEGATIVE_INFINITY; // zero fits any scale
  return digits.length - (m[1]!.length + Number(m[3] ?? 0));
}

/**
 * A converter into a Postgres `numeric(p, s)` column that holds back a number with more
 * fraction digits than `s`: Postgres would round it at the write without a word (a SQLite
 * REAL of 0.30000000000000004 in a `DECIMAL(10,2)` column becomes 0.30), and validation, which
 * compares exact digits, would then report a row no repair can settle. Text that is not a
 * plain number goes on to `next` (Postgres reads or refuses it, named).
 *
 * @example
 * ```ts
 * holdOverScale(2)(59.97)  // 59.97
 * holdOverScale(2)(1.005)  // an UnholdableValue naming the rounding
 * ```
 */
export function holdOverScale(scale: number, next?: Converter): Converter {
  return (value) => {
    const text = typeof value === 'number' || typeof value === 'string' || typeof value === 'bigint' ? String(value) : undefined;
    const needed = text === undefined ? undefined : scaleNeeded(text);
    if (needed === undefined || needed <= scale) return next ? next(value) : value;
    return new UnholdableValue(
      value,
      `the number ${text!.slice(0, 40)} has more fraction digits than the column's numeric scale (${scale}), and Postgres would round it. ` +
        'Round it at the source (UPDATE … SET c = round(c, scale)), or give the column a larger scale or plain numeric on the target (columnTypes).',
    );
  };
}
