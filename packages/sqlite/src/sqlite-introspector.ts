// The PRAGMA-based introspection is shared with the D1 adapter, so it lives in core.
export { introspectSqlite, INTERNAL_TABLE } from '@switchyard/core';
