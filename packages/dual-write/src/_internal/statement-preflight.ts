import { LimitExceededError, encodeParams, type DatabaseAdapter, type Statement } from '@switchyard/core';

const encoder = new TextEncoder();

/**
 * Checks statements against the secondary's limits and value encoding before the
 * primary runs them: a value the secondary cannot store (NaN on SQLite, a bigint
 * beyond 2^53 on D1) or a statement over its parameter or size limit is refused with
 * the secondary's typed error while nothing has been written anywhere, instead of
 * being accepted by the primary and failing on one side only.
 */
export function preflight(side: DatabaseAdapter, statements: readonly Statement[]): void {
  const { maxBoundParameters, maxStatementBytes } = side.capabilities;
  for (const { sql, params = [] } of statements) {
    if (params.length > maxBoundParameters) {
      throw new LimitExceededError(
        'parameters',
        maxBoundParameters,
        params.length,
        `The statement binds ${params.length} parameters; ${side.name} (the secondary) allows ${maxBoundParameters}. ` +
          'Split it into several statements in one batch().',
        { dialect: side.dialect, sql },
      );
    }
    if (maxStatementBytes !== undefined && sql.length * 3 > maxStatementBytes) {
      const bytes = encoder.encode(sql).length;
      if (bytes > maxStatementBytes) {
        throw new LimitExceededError(
          'statementBytes',
          maxStatementBytes,
          bytes,
          `The statement is ${bytes} bytes; ${side.name} (the secondary) allows ${maxStatementBytes}. ` +
            'Bind large values as parameters, or split the statement into several in one batch().',
          { dialect: side.dialect, sql },
        );
      }
    }
    encodeParams(params, side.dialect, side.capabilities, sql);
  }
}
