import { LimitExceededError, encodeParams, type DatabaseAdapter, type Statement } from '@switchyard/core';

const encoder = new TextEncoder();

/**
 * Checks statements against a side's parameter and size limits. Reads are checked
 * against the secondary too, although only one side runs them: an app that keeps
 * within both sides' limits keeps working after `switchPrimary()`.
 */
export function checkLimits(side: DatabaseAdapter, statements: readonly Statement[]): void {
  const { maxBoundParameters, maxStatementBytes } = side.capabilities;
  for (const { sql, params = [] } of statements) {
    if (params.length > maxBoundParameters) {
      throw new LimitExceededError(
        'parameters',
        maxBoundParameters,
        params.length,
        `The statement binds ${params.length} parameters; ${side.name} (one of the dual-write sides) allows ${maxBoundParameters}. ` +
          'Split it into several statements in one batch().',
        { dialect: side.dialect, sql },
      );
    }
    // Bytes are counted only when the text could be over the limit: a character is at most 3 UTF-8 bytes here.
    if (maxStatementBytes !== undefined && sql.length * 3 > maxStatementBytes) {
      const bytes = encoder.encode(sql).length;
      if (bytes > maxStatementBytes) {
        throw new LimitExceededError(
          'statementBytes',
          maxStatementBytes,
          bytes,
          `The statement is ${bytes} bytes; ${side.name} (one of the dual-write sides) allows ${maxStatementBytes}. ` +
            'Bind large values as parameters, or split the statement into several in one batch().',
          { dialect: side.dialect, sql },
        );
      }
    }
  }
}

/**
 * Checks write statements against the secondary's limits and value encoding before the
 * primary runs them: a value the secondary cannot store (NaN on SQLite, a bigint
 * beyond 2^53 on D1) or a statement over its parameter or size limit is refused with
 * the secondary's typed error while nothing has been written anywhere, instead of
 * being accepted by the primary and failing on one side only.
 */
export function preflight(side: DatabaseAdapter, statements: readonly Statement[]): void {
  checkLimits(side, statements);
  for (const { sql, params = [] } of statements) encodeParams(params, side.dialect, side.capabilities, sql);
}
