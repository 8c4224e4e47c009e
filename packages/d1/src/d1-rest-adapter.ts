import type { EncodedStatement } from '@switchyard/core';
import { D1RestClient, type D1RestClientOptions, type D1RestQuery } from './d1-rest-client';
import { bytesAsHexParams } from './_internal/blob-params';
import type { D1Transport } from './_internal/d1-transport';

/**
 * Options of `createD1Adapter` on the REST API: the database's coordinates, an API token,
 * and the client's retry and rate-limit settings (see {@link D1RestClientOptions}).
 *
 * @example
 * ```ts
 * const options: D1RestOptions = { accountId, databaseId, apiToken: process.env.CLOUDFLARE_API_TOKEN!, maxAttempts: 8 };
 * ```
 */
export interface D1RestOptions extends D1RestClientOptions {}

/**
 * A transport over the REST API. One statement is one request; `batch()` is one request
 * in the API's `{ batch: [...] }` form, which D1 runs as one transaction. Bytes cannot
 * travel in JSON, so they are sent as hex text that the statement decodes with `unhex()`.
 */
export function createD1RestTransport(options: D1RestOptions): D1Transport {
  const client = new D1RestClient(options);
  return {
    async run(statement) {
      const results = await client.query(toQuery(statement));
      return results[results.length - 1] ?? { results: [], success: true, meta: {} };
    },
    async runRaw(statement) {
      const results = await client.raw(toQuery(statement));
      const last = results[results.length - 1]?.results;
      return { columns: last?.columns ?? [], rows: last?.rows ?? [] };
    },
    batch: (statements) => client.query({ batch: statements.map(toQuery) }),
  };
}

function toQuery({ sql, params }: EncodedStatement): D1RestQuery {
  return bytesAsHexParams(sql, params);
}
