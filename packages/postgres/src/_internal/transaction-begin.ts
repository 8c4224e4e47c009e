import { UnsupportedError, type TransactionSettings } from '@switchyard/core';

/**
 * The statement that opens a Postgres transaction with these settings, e.g.
 * `BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY`. Postgres has no `snapshot` level
 * (its `repeatable read` is snapshot isolation): asking for it is an UnsupportedError.
 */
export function beginStatement(settings: TransactionSettings | undefined, name: string): string {
  const parts = ['BEGIN'];
  const level = settings?.isolationLevel;
  if (level === 'snapshot') {
    throw new UnsupportedError(
      `${name}: Postgres has no 'snapshot' isolation level. Its 'repeatable read' is snapshot isolation: ask for that.`,
      { dialect: 'postgres' },
    );
  }
  if (level) parts.push('ISOLATION LEVEL', level.toUpperCase());
  if (settings?.accessMode) parts.push(settings.accessMode.toUpperCase());
  return parts.join(' ');
}
