export { D1Adapter, createD1Adapter, type D1AdapterOptions } from './d1-adapter';
export type { D1DatabaseLike, D1PreparedStatementLike, D1ResultLike } from './d1-database';
export { D1RestClient, parseRetryAfter, type D1RawResultLike, type D1RestClientOptions, type D1RestQuery } from './d1-rest-client';
export type { D1RestOptions } from './d1-rest-adapter';
