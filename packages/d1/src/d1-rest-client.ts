import { ConnectionError, QueryError, TransientError, redactSecrets, registerSecret } from '@switchyard/core';
import type { D1ResultLike } from './d1-database';
import { toD1Error } from './_internal/d1-errors';
import { SlidingWindowLimiter, sleep } from './_internal/sliding-window';

/** Where and how to reach the D1 REST API. */
export interface D1RestClientOptions {
  /** Cloudflare account id (`CLOUDFLARE_ACCOUNT_ID`). */
  accountId: string;
  /** The D1 database's UUID (`wrangler d1 list`). */
  databaseId: string;
  /** An API token with D1 Edit permission (`CLOUDFLARE_API_TOKEN`). */
  apiToken: string;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
  /** API root. Default `https://api.cloudflare.com/client/v4`. */
  baseUrl?: string;
  /** Attempts per request, the first included, on 429, 5xx and network errors. Default `5`. */
  maxAttempts?: number;
  /** First backoff ceiling in ms; it doubles per attempt (full jitter). Default `250`. */
  baseDelayMs?: number;
  /** Largest backoff ceiling in ms. Default `20_000`. */
  maxDelayMs?: number;
  /**
   * Client-side rate limit: at most `requests` per `windowMs`, sliding. Default 1,100 per
   * 5 minutes, under the API's 1,200 with room for wrangler or a dashboard. `false` disables it.
   */
  rateLimit?: { requests: number; windowMs: number } | false;
  /** Milliseconds before a request is abandoned (then retried). Default `30_000`. */
  timeoutMs?: number;
}

/** One statement in a REST request; params are JSON values. */
export interface D1RestQuery {
  sql: string;
  params?: unknown[];
}

/** What the `/raw` endpoint returns for one statement. */
export interface D1RawResultLike {
  results?: { columns?: string[]; rows?: unknown[][] };
  success: boolean;
  meta?: Record<string, unknown>;
  error?: string;
}

interface ApiMessage {
  code?: number;
  message?: string;
}

interface ApiResponse {
  success?: boolean;
  errors?: ApiMessage[];
  result?: (D1ResultLike | D1RawResultLike)[] | null;
}

const DEFAULT_BASE_URL = 'https://api.cloudflare.com/client/v4';

/**
 * An HTTP client for `POST /accounts/{account}/d1/database/{id}/query` (and `/raw`). It retries 429,
 * 5xx and network failures with exponential backoff and full jitter, honours
 * `Retry-After` (seconds or an HTTP date), and paces itself with a sliding window so a
 * script stays under the API's request allowance. Errors are typed.
 *
 * @example
 * ```ts
 * const client = new D1RestClient({ accountId, databaseId, apiToken: process.env.CLOUDFLARE_API_TOKEN! });
 * const [result] = await client.query({ sql: 'SELECT count(*) AS n FROM users' });
 * ```
 */
export class D1RestClient {
  readonly #options: D1RestClientOptions;
  /** The database's API root; `/query` or `/raw` follows. */
  readonly #url: string;
  readonly #fetch: typeof fetch;
  readonly #limiter: SlidingWindowLimiter | undefined;

  constructor(options: D1RestClientOptions) {
    this.#options = options;
    // Every Switchyard error redacts it, wherever a server or proxy echoes it back.
    registerSecret(options.apiToken);
    const base = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.#url = `${base}/accounts/${encodeURIComponent(options.accountId)}/d1/database/${encodeURIComponent(options.databaseId)}`;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    const limit = options.rateLimit ?? { requests: 1100, windowMs: 5 * 60_000 };
    this.#limiter = limit === false ? undefined : new SlidingWindowLimiter(limit.requests, limit.windowMs);
  }

  /**
   * Runs one statement, or several as one batch. D1 applies a batch as one transaction.
   * Returns one result per statement.
   */
  async query(body: D1RestQuery | { batch: D1RestQuery[] }): Promise<D1ResultLike[]> {
    return this.#request('query', body) as Promise<D1ResultLike[]>;
  }

  /**
   * Runs one statement on the `/raw` endpoint, which answers with rows as arrays in
   * column order and the column names, every column kept where names repeat.
   *
   * @example
   * ```ts
   * const [{ results }] = await client.raw({ sql: 'SELECT users.id, posts.id FROM users JOIN posts ON posts.user_id = users.id' });
   * // results: { columns: ['id', 'id'], rows: [[1, 10]] }
   * ```
   */
  async raw(body: D1RestQuery): Promise<D1RawResultLike[]> {
    return this.#request('raw', body) as Promise<D1RawResultLike[]>;
  }

  async #request(endpoint: 'query' | 'raw', body: D1RestQuery | { batch: D1RestQuery[] }): Promise<unknown[]> {
    const payload = JSON.stringify(body);
    const sql = 'sql' in body ? body.sql : undefined;
    const maxAttempts = Math.max(1, this.#options.maxAttempts ?? 5);
    let last: TransientError | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (last) await sleep(this.#delay(attempt - 1, last.retryAfterMs));
      await this.#limiter?.acquire();
      let response: Response;
      try {
        response = await this.#fetch(`${this.#url}/${endpoint}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.#options.apiToken}`, 'content-type': 'application/json' },
          body: payload,
          signal: AbortSignal.timeout(this.#options.timeoutMs ?? 30_000),
        });
      } catch (error) {
        last = new TransientError(`d1: the D1 REST API could not be reached: ${(error as Error).message ?? error}`, {
          dialect: 'd1',
          sql,
          cause: error,
        });
        continue;
      }
      const outcome = await this.#read(response, sql);
      if (outcome instanceof TransientError) {
        last = outcome;
        continue;
      }
      return outcome;
    }
    throw new TransientError(`${last!.message} (gave up after ${maxAttempts} attempts)`, {
      dialect: 'd1',
      sql,
      cause: last!.cause,
      ...(last!.retryAfterMs === undefined ? {} : { retryAfterMs: last!.retryAfterMs }),
    });
  }

  async #read(response: Response, sql: string | undefined): Promise<(D1ResultLike | D1RawResultLike)[] | TransientError> {
    const text = await response.text();
    let body: ApiResponse | undefined;
    try {
      body = JSON.parse(text) as ApiResponse;
    } catch {
      body = undefined;
    }
    const detail = describe(body, text);
    const status = response.status;
    if (status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      return new TransientError(`d1: the D1 REST API answered ${status}: ${detail}`, {
        dialect: 'd1',
        sql,
        cause: body ?? text,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    if (status === 401 || status === 403) {
      throw new ConnectionError(
        `d1: the D1 REST API refused the API token (${status}: ${detail}). Check apiToken ` +
          '(usually CLOUDFLARE_API_TOKEN): it must be valid and hold the D1 Edit permission for account ' +
          `${this.#options.accountId}.`,
        { dialect: 'd1', sql, cause: body ?? text },
      );
    }
    if (status === 404) {
      throw new QueryError(
        `d1: the D1 REST API found no database ${this.#options.databaseId} in account ${this.#options.accountId} ` +
          `(404: ${detail}). Check databaseId (wrangler d1 list) and accountId.`,
        { dialect: 'd1', sql, cause: body ?? text },
      );
    }
    const failed = body?.result?.find((r) => r && r.success === false);
    if (!response.ok || !body || body.success === false || !Array.isArray(body.result) || failed) {
      // A SQL error: constraint violations and the like are mapped by their message.
      const error = new Error(failed?.error ?? detail);
      throw toD1Error(error, 'd1', sql);
    }
    return body.result;
  }

  #delay(retry: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined) return retryAfterMs;
    const base = this.#options.baseDelayMs ?? 250;
    const ceiling = Math.min(this.#options.maxDelayMs ?? 20_000, base * 2 ** (retry - 1));
    return Math.random() * ceiling;
  }
}

/** `Retry-After` in ms: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function describe(body: ApiResponse | undefined, text: string): string {
  const messages = body?.errors?.map((e) => (e.code ? `${e.message} [code ${e.code}]` : e.message)).filter(Boolean);
  if (messages && messages.length > 0) return messages.join('; ');
  // Redacted before it is cut: a secret cut in half would no longer be recognised.
  return redactSecrets(text).slice(0, 300) || 'no response body';
}
