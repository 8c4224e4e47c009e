import { normalizeValue, type DatabaseAdapter } from '@switchyard/core';

/** The rows in `table`, as canonical integer text: engines return COUNT(*) as number, bigint or string. */
export async function rowCount(adapter: DatabaseAdapter, table: string): Promise<string> {
  const row = await adapter.first<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${table}`);
  return normalizeValue(row?.n, 'integer') as string;
}

/** What `promise` rejects with, or undefined when it resolves: for checks that the exact value thrown comes back. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return undefined;
}
