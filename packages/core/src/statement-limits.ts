import { LimitExceededError } from './errors';
import type { AdapterCapabilities, DialectName } from './types';

const encoder = new TextEncoder();

/** Who the limits belong to, for the error message. */
export interface LimitSubject {
  /** The adapter's name, as users know it, e.g. `'d1'`, or `'d1 (one of the dual-write sides)'`. */
  label: string;
  dialect: DialectName;
  capabilities: Pick<AdapterCapabilities, 'maxBoundParameters' | 'maxStatementBytes'>;
}

/**
 * Throws {@link LimitExceededError} when a statement binds more parameters, or is longer,
 * than the engine allows, before anything is sent. The message says how to split the work.
 *
 * @example
 * ```ts
 * checkStatementLimits({ label: 'd1', dialect: 'd1', capabilities }, sql, params.length);
 * ```
 */
export function checkStatementLimits(subject: LimitSubject, sql: string, parameterCount: number): void {
  const { maxBoundParameters, maxStatementBytes } = subject.capabilities;
  if (parameterCount > maxBoundParameters) {
    const rows = Math.max(1, Math.floor(maxBoundParameters / Math.max(1, insertColumnCount(sql))));
    throw new LimitExceededError(
      'parameters',
      maxBoundParameters,
      parameterCount,
      `The statement binds ${parameterCount} parameters; ${subject.label} allows ${maxBoundParameters}. ` +
        `Split it: for a multi-row INSERT, send at most ${rows} rows per statement, several statements in one batch().`,
      { dialect: subject.dialect, sql },
    );
  }
  // Bytes are counted only when the text could be over the limit: a UTF-16 unit is at most 3 UTF-8 bytes.
  if (maxStatementBytes !== undefined && sql.length * 3 > maxStatementBytes) {
    const bytes = encoder.encode(sql).length;
    if (bytes > maxStatementBytes) {
      throw new LimitExceededError(
        'statementBytes',
        maxStatementBytes,
        bytes,
        `The statement is ${bytes} bytes; ${subject.label} allows ${maxStatementBytes}. ` +
          'Bind large values as parameters instead of inlining them, or split the statement into several in one batch().',
        { dialect: subject.dialect, sql },
      );
    }
  }
}

/** Columns in the first parenthesised list of an INSERT, to suggest a rows-per-statement figure. */
function insertColumnCount(sql: string): number {
  const m = /insert\s+into\s+[^(]+\(([^)]*)\)/i.exec(sql);
  return m ? m[1]!.split(',').length : 1;
}
