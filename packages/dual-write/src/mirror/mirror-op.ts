import type { Statement } from '@switchyard/core';
import { decodeStatements, encodeParams, encodeStatements, type WireParam, type WireStatement } from './value-codec';
import { BoundedCache } from '../_internal/bounded-cache';
import { rowRefsOf, type KeyColumns, type RowRef } from '../row-ref';
import { capturedOf, type CapturedRows } from './outbox-captured';
import type { EntryTranslation } from './entry-translations';

/** One mirrored write: the statements the primary ran, as one atomic unit. */
export interface MirrorOp {
  /** Unique id; the secondary applies an id at most once. */
  opId: string;
  /**
   * Order of this operation among those touching the same rows: the outbox's sequence
   * on the primary, or the producer's time-ordered sequence for queue messages.
   */
  seq: number;
  /** Milliseconds since the epoch when the primary write was mirrored. */
  createdAt: number;
  statements: Statement[];
  /**
   * The rows the statements touch. Left out by the mirrors (reading them costs time on the
   * write path); `applyOps` reads them from the statements when absent.
   */
  rows?: RowRef[];
  /**
   * Rows an outbox entry carries as the primary left them (see `CapturedRows`): a drain
   * turns them into the secondary's statements, run after `statements`.
   */
  captured?: CapturedRows[];
  /**
   * Queue messages: the rows the write deleted. A consumer given the primary brings the
   * secondary the rows that the primary's `ON DELETE` foreign key actions changed with them.
   * Outbox entries: the rows SQLite's `REPLACE` deleted and wrote again under the same key,
   * which also displaced rows holding their unique values; a drain settles both.
   */
  deleted?: RowRef[];
  /**
   * Queue messages: the rows the write left in tables whose columns outside the key the
   * primary's foreign keys reference with an `ON UPDATE` action, with those columns' values.
   * A consumer given the primary brings the secondary the rows those actions changed with them.
   */
  updated?: UpdatedRow[];
  /**
   * Updates among `statements` that moved keys of a table the primary's `ON UPDATE` foreign
   * key actions reference: a drain or consumer given the primary brings the rows those actions moved.
   */
  moves?: MovedKeys[];
  /**
   * Outbox entries of a primary without transactions (D1) only: SQLite definitions among
   * `statements` that a drain given `translateSchema` turns into Postgres's (see `drainOutbox`).
   */
  translations?: EntryTranslation[];
}

/** A row a write left, with the values of its columns that foreign keys reference (as a key holds values). */
export interface UpdatedRow extends RowRef {
  values?: RowRef['key'];
}

/**
 * An `UPDATE` that moved keys: the index of its statement in the operation, and the keys it
 * left (none when they could not be known: a D1 outbox entry, see `unkeyedMoves`).
 */
export interface MovedKeys {
  table: string;
  statement: number;
  keys: RowRef['key'][];
}

/** The JSON form of a {@link MirrorOp} in an outbox row or a queue message. */
export interface MirrorMessage {
  /**
   * Format version, for consumers reading messages written by another release: 2 since
   * parameters are core's stored values; 1 (parameters as {@link WireParam} pairs) is still read.
   */
  v: 1 | 2;
  opId: string;
  seq: number;
  createdAt: number;
  statements: WireStatement[] | { sql: string; params: WireParam[] }[];
  rows?: RowRef[];
  /** Outbox entries only: rows a drain turns into statements (see `resolveOutboxOps`). */
  captured?: CapturedRows[];
  /** Queue messages only: the rows the write deleted (see `MirrorOp.deleted`). */
  deleted?: RowRef[];
  /** Queue messages only: the rows written in tables that `ON UPDATE` actions reference (see `MirrorOp.updated`). */
  updated?: UpdatedRow[];
  /** Key moves among the statements (see `MirrorOp.moves`). */
  moves?: MovedKeys[];
  /** Outbox entries only: definitions a drain translates (see `MirrorOp.translations`). */
  translations?: EntryTranslation[];
}

/**
 * The rows touched by a write's statements, for per-row ordering (see {@link rowRefsOf}).
 *
 * @example
 * ```ts
 * collectRowRefs([{ sql: 'DELETE FROM t WHERE id = ?', params: [1] }]); // [{ table: 't', key: { id: 1 } }]
 * ```
 */
export function collectRowRefs(statements: readonly Statement[], keys?: KeyColumns): RowRef[] {
  const refs = new Map<string, RowRef>();
  for (const s of statements) {
    for (const ref of rowRefsOf(s, keys) ?? []) refs.set(ref.table + '\u0000' + JSON.stringify(ref.key), ref);
  }
  return [...refs.values()];
}

/**
 * The wire form of an operation.
 *
 * @example
 * ```ts
 * await queue.send(toMessage(op));
 * ```
 */
export function toMessage(op: MirrorOp): MirrorMessage {
  const message: MirrorMessage = { v: 2, opId: op.opId, seq: op.seq, createdAt: op.createdAt, statements: encodeStatements(op.statements) };
  if (op.rows) message.rows = op.rows;
  if (op.captured) message.captured = op.captured;
  if (op.deleted) message.deleted = op.deleted;
  if (op.updated) message.updated = op.updated;
  if (op.moves) message.moves = op.moves;
  if (op.translations) message.translations = op.translations;
  return message;
}

/** Statement texts as JSON strings: a write's SQL is the same text write after write. */
const sqlJson = new BoundedCache<string, string>(500);

/**
 * `JSON.stringify(toMessage(op))`, the same text to the character, with each statement's
 * SQL escaped once per text rather than once per write.
 *
 * @example
 * ```ts
 * await primary.execute('INSERT INTO outbox (payload) VALUES (?)', [messageText(op)]);
 * ```
 */
export function messageText(op: MirrorOp): string {
  let text = `{"v":2,"opId":${JSON.stringify(op.opId)},"seq":${JSON.stringify(op.seq)},"createdAt":${JSON.stringify(op.createdAt)},"statements":[`;
  for (const [i, s] of op.statements.entries()) {
    let sql = sqlJson.get(s.sql);
    if (sql === undefined) {
      sql = JSON.stringify(s.sql);
      if (s.sql.length <= 4096) sqlJson.set(s.sql, sql);
    }
    text += `${i > 0 ? ',' : ''}{"sql":${sql},"params":${JSON.stringify(encodeParams(s))}}`;
  }
  // Rows and captured rows in one call into JSON.stringify, which costs more to enter than to run on a small entry.
  const { rows, captured, deleted, updated, moves, translations } = op;
  const rest =
    rows || captured || deleted || updated || moves || translations
      ? JSON.stringify({ rows, captured, deleted, updated, moves, translations })
      : '{}';
  return text + (rest === '{}' ? ']}' : `],${rest.slice(1)}`);
}

/**
 * An operation read back from its wire form; throws when the body is not a mirror message.
 *
 * @example
 * ```ts
 * const op = fromMessage(message.body);
 * ```
 */
export function fromMessage(body: unknown): MirrorOp {
  const m = body as Partial<MirrorMessage> | null;
  if (!m || typeof m !== 'object' || (m.v !== 1 && m.v !== 2) || typeof m.opId !== 'string' || !Array.isArray(m.statements)) {
    throw new TypeError(
      'The message is not a Switchyard mirror message (expected { v: 2, opId, seq, statements }; v 1 is read too). ' +
        'Send only queueMirror() messages to the queue this consumer reads.',
    );
  }
  const op: MirrorOp = { opId: m.opId, seq: Number(m.seq), createdAt: Number(m.createdAt), statements: decodeStatements(m.statements) };
  if (Array.isArray(m.rows)) op.rows = m.rows;
  const captured = capturedOf(m);
  if (captured) op.captured = captured;
  if (Array.isArray(m.deleted)) op.deleted = m.deleted;
  if (Array.isArray(m.updated)) op.updated = m.updated;
  if (Array.isArray(m.moves)) op.moves = m.moves;
  if (Array.isArray(m.translations)) op.translations = m.translations;
  return op;
}
