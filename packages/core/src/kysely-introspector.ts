import type { DatabaseIntrospector, DatabaseMetadata, DatabaseMetadataOptions, SchemaMetadata, TableMetadata } from 'kysely';
import type { DatabaseAdapter } from './types';

// Kysely's Migrator keeps its bookkeeping in tables with these prefixes by default.
const KYSELY_TABLES = /^kysely_migration(_lock)?$/;

/**
 * Kysely's introspection answered by `adapter.introspect()`. D1 refuses the
 * `pragma_table_info()` join that Kysely's SqliteIntrospector runs (SQLITE_AUTH), so
 * Kysely's Migrator, which asks whether its tables exist, uses this one on D1.
 *
 * @example
 * ```ts
 * const tables = await new AdapterIntrospector(adapter).getTables();
 * ```
 */
export class AdapterIntrospector implements DatabaseIntrospector {
  readonly #adapter: DatabaseAdapter;

  constructor(adapter: DatabaseAdapter) {
    this.#adapter = adapter;
  }

  async getSchemas(): Promise<SchemaMetadata[]> {
    return [];
  }

  async getTables(options: DatabaseMetadataOptions = { withInternalKyselyTables: false }): Promise<TableMetadata[]> {
    const tables = await this.#adapter.introspect();
    return tables
      .filter((t) => options.withInternalKyselyTables || !KYSELY_TABLES.test(t.name))
      .map((t) => ({
        name: t.name,
        isView: false,
        ...(t.schema !== undefined && { schema: t.schema }),
        columns: t.columns.map((c) => ({
          name: c.name,
          dataType: c.declaredType,
          isNullable: c.nullable,
          isAutoIncrementing: c.autoIncrement,
          hasDefaultValue: c.defaultValue !== null,
        })),
      }));
  }

  async getMetadata(options?: DatabaseMetadataOptions): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) };
  }
}
