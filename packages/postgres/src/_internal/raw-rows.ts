import type { QueryArrayConfig, QueryArrayResult } from 'pg';
import type { RawRows } from '@switchyard/core';
import type { ClientAccess } from './client-access';

/** A statement's rows as arrays (pg's `rowMode: 'array'`); a multi-statement text (no parameters) answers with its last statement's rows, as `query()` does. */
export async function rawRows(access: ClientAccess, config: QueryArrayConfig, source: string): Promise<RawRows> {
  const result: QueryArrayResult | QueryArrayResult[] = await access.withClient(
    (client) => access.timed(client, source, () => client.query(config)),
    source,
  );
  const last = Array.isArray(result) ? result[result.length - 1] : result;
  return { columns: (last?.fields ?? []).map((f: { name: string }) => f.name), rows: last?.rows ?? [] };
}
