import { afterAll, beforeAll, expect } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit/postgres-server';
import { validateDatabases } from '@switchyard/validation';
import { copyTables } from '../src/index';

/** A source Postgres database made by `setup` and two empty ones to copy into, for one test file. */
export interface ArraySource {
  readonly source: DatabaseAdapter;
  /** The URL of empty database 1 or 2. */
  url(n: 1 | 2): string;
}

/** Opens the databases before the file's tests and drops them after. */
export function usePostgresArraySource(setup: (source: DatabaseAdapter) => Promise<void>): ArraySource {
  let databases: TestDatabase[] = [];
  let source: DatabaseAdapter | undefined;
  beforeAll(async () => {
    databases = await Promise.all([createTestDatabase(), createTestDatabase(), createTestDatabase()]);
    source = createPostgresAdapter(databases[0]!.url, { max: 2 });
    await setup(source);
  });
  afterAll(async () => {
    await source?.close();
    await Promise.all(databases.map((d) => d.drop()));
  });
  return {
    get source() {
      return source!;
    },
    url: (n) => databases[n]!.url,
  };
}

/** Copies `table` into a Postgres database made with `ddl`: every row's text (`texts`, a query) as the source's, and validation equal. */
export async function expectCopiedAsIs(from: ArraySource, ddl: string, table: string, texts: string): Promise<void> {
  const target = createPostgresAdapter(from.url(1), { max: 2 });
  try {
    await target.execute(ddl);
    await copyTables(from.source, target, { tables: [table], checkpoint: false });
    expect(await target.query(texts)).toEqual(await from.source.query(texts));
    expect((await validateDatabases(from.source, target, { validateAllRows: true, tables: [table] })).ok).toBe(true);
  } finally {
    await target.close();
  }
}
