import { timeWordOf } from './timestamp-text';

/**
 * A value a converter found the target's column cannot hold as the source holds it. It is
 * refused where it is bound (`encodeParams`), so the failure is the writing side's own: a
 * dual write's secondary journals it; a copy names the row.
 *
 * @example
 * ```ts
 * const v = convert('now'); // an UnholdableValue: binding it throws a ParameterError with v.reason
 * ```
 */
export class UnholdableValue {
  constructor(
    /** The value as the source holds it. */
    readonly value: unknown,
    /** What the target would make of it, and what to do. */
    readonly reason: string,
  ) {}
}

/**
 * Text Postgres would read, in a date or time column, as a moment of its own ('now' as the
 * time it is written) held back: the target would hold a time, the source the word. A
 * SQLite `DEFAULT 'now'` stores the word in every row it fills. `undefined` for other text.
 *
 * @example
 * ```ts
 * holdTimeWord('now')?.reason // "the text \"now\" is the word 'now', which Postgres reads …"
 * holdTimeWord('2024-01-02')  // undefined
 * ```
 */
export function holdTimeWord(value: string): UnholdableValue | undefined {
  const word = timeWordOf(value);
  if (word === undefined) return undefined;
  return new UnholdableValue(
    value,
    `the text ${JSON.stringify(value.slice(0, 40))} is the word '${word}', which Postgres reads in a date or time column as ` +
      `${word === 'epoch' ? '1970-01-01' : 'the moment it is written'}, so the target would hold a time the source does not. ` +
      "Set it at the source to the time it stands for, or NULL (and a DEFAULT 'now' to CURRENT_TIMESTAMP), or give the column a text type on the target.",
  );
}

/**
 * A value in a SQLite or D1 boolean column that is not a boolean (2, -1, 0.5, 'yes') held
 * back: Postgres's boolean would make it true or false (or refuse it) while the source keeps
 * it, and validation, which reads only 1/0 and 't'/'true'/'f'/'false' as booleans, would
 * report the row with nothing left to repair.
 *
 * @example
 * ```ts
 * holdNonBoolean(2).reason // "the value 2 in a boolean column is neither 1 nor 0 …"
 * ```
 */
export function holdNonBoolean(value: unknown): UnholdableValue {
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value === 'object' ? 'a blob' : String(value);
  return new UnholdableValue(
    value,
    `the value ${shown} in a boolean column is neither 1 nor 0 nor 't', 'true', 'f' or 'false', so a Postgres boolean would ` +
      'not hold what the source does. Set it at the source to 1, 0 or NULL, or give the column a type that holds it on the target (columnTypes).',
  );
}
