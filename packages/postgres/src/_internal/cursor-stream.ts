import type Cursor from 'pg-cursor';
import type { ClientBase, CustomTypesConfig } from 'pg';
import type { HeldClient } from './held-client';

// Loaded on the first stream(): pg-cursor is CommonJS that requires pg's internals, which
// bundles of apps that never stream (the CLI's) need not carry.
let cursorClass: Promise<typeof Cursor> | undefined;
const loadCursor = () => (cursorClass ??= import('pg-cursor').then((m) => m.default));

/**
 * Reads a query through a server-side cursor (pg-cursor), `chunkSize` rows per round
 * trip, on a connection held for the generator's life. The cursor is closed and the
 * connection released when the rows run out, on an error, and when the consumer
 * stops early (`return()`); an error releases the connection as failed.
 */
export async function* cursorRows<T>(
  held: HeldClient<ClientBase>,
  query: { text: string; values: unknown[]; types: CustomTypesConfig },
  chunkSize: number,
  wrap: (error: unknown) => Error,
): AsyncGenerator<T[]> {
  let failure: unknown;
  let cursor: Cursor<T> | undefined;
  try {
    const CursorClass = await loadCursor();
    cursor = held.client.query(new CursorClass<T>(query.text, query.values, { types: query.types } as never));
    for (;;) {
      const rows = await cursor.read(chunkSize);
      if (rows.length > 0) yield rows;
      if (rows.length < chunkSize) return;
    }
  } catch (error) {
    failure = error;
    throw wrap(error);
  } finally {
    if (failure === undefined && cursor) await cursor.close().catch((error: unknown) => (failure = error));
    await held.release(failure);
  }
}
