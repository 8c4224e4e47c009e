import type { DatabaseAdapter, Statement } from '@switchyard/core';
import type { KeyValues } from './key-codec';
import type { RowWriter } from './insert-writer';
import { needsRowPath } from './sqlite-copy-text';
import type { TableJob } from './table-job';

/**
 * Where the key columns sit in a COPY text line (the copied columns in order), when a
 * batch read as text can be reconciled as text: every source key column is copied, and
 * the target's key is the same columns. `undefined` otherwise (rows are read instead).
 */
export function copyTextKey(sourceKey: readonly string[], targetKey: readonly string[], columns: readonly string[]): number[] | undefined {
  const at = sourceKey.map((k) => columns.findIndex((c) => c.toLowerCase() === k.toLowerCase()));
  if (at.length === 0 || at.some((i) => i < 0) || targetKey.length !== at.length) return undefined;
  return targetKey.every((k, n) => columns[at[n]!] === k) ? at : undefined;
}

/** A reconcile round over COPY text: what the span holds now, and how many rows were rewritten. */
export type TextRound = (after: KeyValues | null, last: KeyValues, previous: string) => Promise<{ fresh: string; changed: number }>;

/**
 * Reconcile rounds for batches SQLite rendered as COPY text. The span is rendered again
 * the same way (in C, one string per page): the same rows give the very same text, so one
 * string comparison settles an unchanged span. When it differs, lines are matched by
 * their key fields; a line that is new or differs is upserted, and a key gone from the
 * source is deleted on the target. Both bind the fields as text: a COPY text field, its
 * escapes undone, is the very input Postgres parses for the column, as COPY did. One
 * statement each keeps a round short, so the span has less time to change again.
 */
export function createTextRound(
  target: DatabaseAdapter,
  job: TableJob,
  deleteSql: string,
  upsert: RowWriter,
  upsertRows: (after: KeyValues | null, last: KeyValues) => Promise<unknown>,
): TextRound | undefined {
  const key = copyTextKey(job.source.primaryKey, job.target.primaryKey, job.columns);
  const readText = job.readText;
  if (!key || !readText || target.dialect !== 'postgres') return undefined;
  const keyOf = (line: string): string => {
    const fields = line.split('\t');
    return key.map((i) => fields[i]).join('\t');
  };

  const readSpan = async (after: KeyValues | null, last: KeyValues): Promise<string> => {
    const texts: string[] = [];
    let from = after;
    for (;;) {
      const page = await readText(from, last);
      texts.push(page.text);
      if (page.count < job.plan.rowsPerBatch || !page.lastKey) return texts.join('');
      from = page.lastKey;
    }
  };

  return async (after, last, previous) => {
    const fresh = await readSpan(after, last);
    if (fresh === previous) return { fresh, changed: 0 };
    const before = new Map<string, string>();
    for (const line of lines(previous)) before.set(keyOf(line), line);
    const upserts: string[] = [];
    for (const line of lines(fresh)) {
      const k = keyOf(line);
      const old = before.get(k);
      before.delete(k);
      if (old !== line) upserts.push(line);
    }
    const deletes: Statement[] = [...before.keys()].map((k) => ({ sql: deleteSql, params: k.split('\t').map(unescapeField) }));
    if (deletes.length > 0) await target.batch(deletes);
    // A value only the JavaScript converter writes right: the span's rows go that way, and
    // the next round still compares with `fresh`, so nothing read after it is missed.
    if (upserts.length > 0 && needsRowPath(upserts.join('\n'))) await upsertRows(after, last);
    else if (upserts.length > 0)
      await upsert.write(
        upserts.map((line) => line.split('\t').map(fieldValue)),
        undefined,
      );
    return { fresh, changed: upserts.length + deletes.length };
  };
}

function lines(text: string): string[] {
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all;
}

/** A COPY text field back to the text it stands for (the escapes the SQLite renderer writes). */
function fieldValue(field: string): string | null {
  return field === '\\N' ? null : unescapeField(field);
}

function unescapeField(field: string): string {
  return field.replace(/\\(.)/g, (_m, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}
