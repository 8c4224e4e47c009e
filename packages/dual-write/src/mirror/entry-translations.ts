import { SwitchyardError, type DatabaseAdapter, type Statement } from '@switchyard/core';
import type { SchemaTranslator } from '../dual-write-options';
import type { SideStatement } from '../_internal/replication-types';
import { translatedReason, withLeftOut, type Translation } from '../_internal/translated-definitions';
import { definitionForms, readOnce } from '../_internal/translated-forms';
import type { MirrorOp } from './mirror-op';

/**
 * A SQLite definition an outbox entry carries as the app wrote it: its index among the
 * entry's statements, its mark, and the Postgres statements it was translated to right
 * after the write (`forms`; absent when the writer stopped before, and the drain translates).
 */
export interface EntryTranslation {
  statement: number;
  translation: Translation;
  forms?: string[];
}

/**
 * The marks of the definitions among an entry's statements that reach a Postgres secondary
 * translated (see `markTranslations`). A D1 primary runs a write and its outbox entry in one
 * batch, which cannot read the tables the write made before the entry is written: the drain
 * translates them from the primary (see {@link translateEntries}).
 */
export function translationsOf(statements: readonly SideStatement[]): EntryTranslation[] | undefined {
  const marks = statements.flatMap((s, statement) => (s.translation ? [{ statement, translation: s.translation }] : []));
  return marks.length > 0 ? marks : undefined;
}

/**
 * Right after a D1 batch wrote an entry with marked definitions: each translated from the
 * tables the batch left (as on the synchronous path) and stored in the entry, so the drain
 * does not translate from the tables as they stand later, when a later migration may have
 * renamed or dropped them. The shape is noted (`noteReplay`) with what the translation left out. When this
 * does not happen (the writer stopped, the primary did not answer), the drain translates.
 */
export async function translateAfterWrite(
  primary: DatabaseAdapter,
  outbox: string,
  op: MirrorOp,
  translator: SchemaTranslator,
  noteReplay: (sql: string, reason: string) => void,
): Promise<void> {
  const tables = readOnce(primary);
  const marks: EntryTranslation[] = [];
  for (const mark of op.translations ?? []) {
    const sql = op.statements[mark.statement]!.sql;
    const forms = await definitionForms(tables, translator, mark.translation, sql);
    noteReplay(sql, withLeftOut(translatedReason(mark.translation), forms.leftOut));
    marks.push({ ...mark, forms: forms.statements.map((f) => f.sql) });
  }
  // SQLite's JSON functions keep every other value's text as it is, numbers included.
  await primary
    .execute(`UPDATE ${outbox} SET payload = json_set(payload, '$.translations', json(?)) WHERE op_id = ?`, [
      JSON.stringify(marks),
      op.opId,
    ])
    .catch(() => undefined);
}

/**
 * `ops` with each marked definition replaced by what `translator` makes of the table the
 * primary now holds (a drain runs after the write, so later definitions of the same table are
 * in it: those then change nothing, as in a batch on the synchronous path), and what the
 * translations left out. Key moves keep naming their statements. Refuses, before anything
 * is applied, an entry that needs a translator when none was given.
 */
export async function translateEntries(
  primary: DatabaseAdapter,
  ops: readonly MirrorOp[],
  translator: SchemaTranslator | undefined,
): Promise<{ ops: MirrorOp[]; leftOut: string[] }> {
  const leftOut: string[] = [];
  if (!ops.some((op) => op.translations)) return { ops: [...ops], leftOut };
  const tables = readOnce(primary);
  const out: MirrorOp[] = [];
  for (const op of ops) {
    if (!op.translations) {
      out.push(op);
      continue;
    }
    if (!translator && op.translations.some((t) => !t.forms)) throw new UntranslatedEntryError(op, primary);
    const statements: Statement[] = [];
    const at: number[] = [];
    for (const [i, s] of op.statements.entries()) {
      at.push(statements.length);
      const mark = op.translations.find((t) => t.statement === i);
      if (!mark) {
        statements.push(s);
        continue;
      }
      if (mark.forms) {
        statements.push(...mark.forms.map((sql) => ({ sql })));
        continue;
      }
      const forms = await definitionForms(tables, translator!, mark.translation, s.sql);
      statements.push(...forms.statements);
      leftOut.push(...forms.leftOut.map((w) => `${s.sql.slice(0, 80)}: ${w}`));
    }
    const { translations: _, ...rest } = op;
    const moves = op.moves?.map((m) => ({ ...m, statement: at[m.statement] ?? m.statement }));
    out.push({ ...rest, statements, ...(moves ? { moves } : {}) });
  }
  return { ops: out, leftOut };
}

/**
 * An outbox entry holds a SQLite definition to translate for Postgres, and the drain was
 * not given `translateSchema`. Nothing of the batch was applied; the entry stays.
 */
export class UntranslatedEntryError extends SwitchyardError {
  constructor(op: Pick<MirrorOp, 'opId' | 'seq'>, primary: DatabaseAdapter) {
    super(
      'INVALID_ARGUMENT',
      `Outbox entry ${op.opId} (seq ${op.seq}) holds a SQLite definition that reaches Postgres translated, and this drain ` +
        'was not given translateSchema. Nothing was applied and the entry is kept: pass the same translateSchema ' +
        '(from @switchyard/copy) to drainOutbox as to createDualWriteAdapter, and drain again.',
      { dialect: primary.dialect },
    );
  }
}
