export { runAdapterConformance } from './conformance';
export type { AdapterConformanceOptions, ConformanceContext } from './conformance-context';
export { columnType, ddl } from './schema-ddl';
export { createTestDatabase, startTestPostgres, type TestDatabase, type TestPostgresServer } from './postgres-server';
export { startFaultProxy, type FaultMode, type FaultProxy, type FaultProxyOptions } from './fault-proxy';
