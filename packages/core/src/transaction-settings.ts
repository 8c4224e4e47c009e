import { InvalidArgumentError, UnsupportedError } from './errors';
import type { AccessMode, DialectName, IsolationLevel, TransactionSettings } from './types';

const ISOLATION_LEVELS: readonly IsolationLevel[] = ['read uncommitted', 'read committed', 'repeatable read', 'serializable', 'snapshot'];
const ACCESS_MODES: readonly AccessMode[] = ['read only', 'read write'];

/**
 * Checks transaction settings before anything runs: an unknown level or mode is an
 * {@link InvalidArgumentError} naming the values that exist.
 *
 * @example
 * ```ts
 * checkTransactionSettings({ isolationLevel: 'serializable' }, 'postgres'); // ok
 * checkTransactionSettings({ accessMode: 'read-only' as never }, 'sqlite'); // throws
 * ```
 */
export function checkTransactionSettings(settings: TransactionSettings | undefined, dialect: DialectName): void {
  if (!settings) return;
  const { isolationLevel, accessMode } = settings;
  if (isolationLevel !== undefined && !ISOLATION_LEVELS.includes(isolationLevel)) {
    throw new InvalidArgumentError(
      `Unknown isolation level ${JSON.stringify(isolationLevel)}. Use one of: ${ISOLATION_LEVELS.join(', ')}.`,
      { dialect },
    );
  }
  if (accessMode !== undefined && !ACCESS_MODES.includes(accessMode)) {
    throw new InvalidArgumentError(`Unknown access mode ${JSON.stringify(accessMode)}. Use 'read only' or 'read write'.`, { dialect });
  }
}

/** True when the settings ask for anything at all. */
export function hasTransactionSettings(settings: TransactionSettings | undefined): boolean {
  return settings?.isolationLevel !== undefined || settings?.accessMode !== undefined;
}

/**
 * The error for settings passed to a nested transaction: it is a savepoint, which
 * runs with the settings of the transaction around it.
 *
 * @example
 * ```ts
 * if (nested && hasTransactionSettings(settings)) throw nestedSettingsError('sqlite', 'sqlite');
 * ```
 */
export function nestedSettingsError(name: string, dialect: DialectName): UnsupportedError {
  return new UnsupportedError(
    `${name}: a nested transaction is a savepoint and runs with the settings of the transaction around it. ` +
      'Pass isolationLevel and accessMode to the outermost transaction().',
    { dialect },
  );
}
