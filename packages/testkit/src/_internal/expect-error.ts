import { expect } from 'vitest';

/** The Switchyard error classes, by the `name` each sets. */
export type ErrorName =
  | 'SwitchyardError'
  | 'QueryError'
  | 'ConstraintError'
  | 'UnsupportedError'
  | 'LimitExceededError'
  | 'ParameterError'
  | 'AdapterClosedError'
  | 'TransientError';

const CODES: Record<ErrorName, string | undefined> = {
  SwitchyardError: undefined,
  QueryError: 'QUERY_FAILED',
  ConstraintError: 'CONSTRAINT_VIOLATION',
  UnsupportedError: 'UNSUPPORTED',
  LimitExceededError: 'LIMIT_EXCEEDED',
  ParameterError: 'INVALID_PARAMETER',
  AdapterClosedError: 'ADAPTER_CLOSED',
  TransientError: 'TRANSIENT',
};

/**
 * Awaits a promise that must reject with a Switchyard error of the given class and
 * returns the error. Classes are matched by `name` and `code` rather than
 * `instanceof`, so an adapter built against another copy of core still passes.
 */
export async function expectError<E = SwitchyardErrorShape>(promise: Promise<unknown>, name: ErrorName): Promise<E> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a ${name}, but the call succeeded`).toBeDefined();
  const error = caught as SwitchyardErrorShape;
  const describe = `${error?.name}: ${error?.message}`;
  expect(typeof error?.code, `expected a ${name}, got ${describe}`).toBe('string');
  if (name !== 'SwitchyardError') {
    expect(error.name, `expected a ${name}, got ${describe}`).toBe(name);
    expect(error.code).toBe(CODES[name]);
  }
  expect(error.message.length, 'the error message should say what went wrong').toBeGreaterThan(10);
  return caught as E;
}

/** The fields every Switchyard error carries. */
export interface SwitchyardErrorShape {
  name: string;
  message: string;
  code: string;
  dialect?: string;
  sql?: string;
  cause?: unknown;
  position?: number;
  limit?: string;
  max?: number;
  actual?: number;
}
