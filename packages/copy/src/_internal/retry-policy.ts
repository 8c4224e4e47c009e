import { isTransientError } from '@switchyard/core';

/** How failed reads and writes are retried. */
export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  /** First delay; doubled on each attempt, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  // PostgreSQL: serialization failure, deadlock, admin shutdown, crash shutdown, cannot connect now, connection failures.
  '40001',
  '40P01',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);

/**
 * True for failures a retry may cure: core's `TransientError`, and raw driver errors
 * (the COPY path talks to `pg` directly) with a reset connection, HTTP 429/5xx,
 * SQLITE_BUSY or a PostgreSQL serialization/connection code, anywhere in the cause chain.
 */
export function isRetryable(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; e && depth < 5; depth++) {
    if (isTransientError(e)) return true;
    const { code, status } = e as { code?: unknown; status?: unknown };
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    if (typeof status === 'number' && (status === 429 || status >= 500)) return true;
    const message = e instanceof Error ? e.message : '';
    if (/Connection terminated|socket hang up|ECONNRESET/i.test(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Runs `fn` under a run's retry policy and signal (see {@link withRetry}). */
export type Retry = <T>(fn: () => Promise<T>) => Promise<T>;

/** Runs `fn`, retrying retryable failures with exponential backoff; a server's Retry-After wins. */
export async function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= policy.retries || !isRetryable(error) || signal?.aborted) throw error;
      const asked = (error as { retryAfterMs?: number }).retryAfterMs;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
      const delay = asked ?? backoff / 2 + Math.random() * (backoff / 2);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
