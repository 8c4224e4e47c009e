import { InvalidArgumentError, TimeoutError, type SwitchyardError } from '@switchyard/core';
import type { Client } from 'pg';
import type { PostgresConnection } from '../postgres-connection';

const ignore = (): void => {};

/**
 * Runs one round trip on `client`, bounded by `timeoutMs` (none when 0 or undefined). When
 * the bound runs out the call rejects with a {@link TimeoutError} and the connection is
 * destroyed: whether the server got the statement, ran it, or will answer later is unknown,
 * so the connection's protocol state is too, and it must never serve another query.
 */
export async function withQueryTimeout<T>(
  client: PostgresConnection,
  timeoutMs: number | undefined,
  describe: { sql: string | undefined; adapterName: string },
  run: () => Promise<T>,
): Promise<T> {
  if (!timeoutMs) return run();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      destroyConnection(client);
      reject(
        new TimeoutError(
          `${describe.adapterName}: no reply within ${timeoutMs} ms (queryTimeoutMs); the connection was closed. ` +
            'The server may still have run the statement: retry only what is safe to run twice, or raise queryTimeoutMs.',
          { dialect: 'postgres', sql: describe.sql, timeoutMs, phase: 'query' },
        ),
      );
    }, timeoutMs);
  });
  try {
    // race() handles the round trip's own late rejection ("Connection terminated").
    return await Promise.race([run(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Destroys a connection's socket now, without the goodbye a hung server would never answer. */
export function destroyConnection(client: PostgresConnection): void {
  // The dead socket reports its end later as an 'error' event: without a listener that
  // would crash the process once the connection is no longer checked out.
  client.on('error', ignore);
  const stream = (client as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
  if (stream) stream.destroy();
  else (client as Client).end().catch(ignore);
}

/** True for a query timeout, after which the connection is gone. */
export function isQueryTimeout(error: unknown): boolean {
  return error instanceof TimeoutError && error.phase === 'query';
}

/**
 * pg's and pg-pool's connect timeouts as a {@link TimeoutError}, or `undefined` for any
 * other failure to connect.
 */
export function asConnectTimeout(error: unknown, timeoutMs: number | undefined, adapterName: string): SwitchyardError | undefined {
  const message = error instanceof Error ? error.message : '';
  if (!/timeout exceeded when trying to connect|connection timeout|timeout expired/i.test(message)) return undefined;
  const bound = timeoutMs ? `within ${timeoutMs} ms ` : '';
  return new TimeoutError(
    `${adapterName}: no connection ${bound}(connectTimeoutMs): the server did not answer, or every pooled connection stayed busy. ` +
      'Check that the server is reachable, or raise connectTimeoutMs (or max).',
    { dialect: 'postgres', cause: error, timeoutMs: timeoutMs ?? 0, phase: 'connect' },
  );
}

/** A timeout option: a non-negative integer of milliseconds, 0 or undefined for none. */
export function timeoutOption(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new InvalidArgumentError(
      `createPostgresAdapter: ${name} must be a whole number of milliseconds (0 for none), got ${String(value)}.`,
      { dialect: 'postgres' },
    );
  }
  return value === 0 ? undefined : value;
}
