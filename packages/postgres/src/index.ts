export { PostgresAdapter, type PostgresConnection } from './postgres-adapter';
export { createPostgresAdapter } from './postgres-create';
export type { PostgresAdapterOptions } from './postgres-options';
export { introspectPostgres, INTERNAL_TABLE, type CatalogQuery } from './postgres-introspector';
export { toPostgresError } from './postgres-errors';
export { createTypeParsers, parseInt8, parseTimestampUtc, PG_OID, type Int8Mode, type PostgresTypeParsers } from './postgres-types';
