import { toPostgresPlaceholders, type DatabaseAdapter } from '@switchyard/core';
import { validateDatabases } from '@switchyard/validation';
import { seededRandom, type Random } from './chaos-random';
import { recreateTables } from './two-databases';

// A generated workload over tables whose foreign keys act on delete and on update (a
// referenced unique column renamed, a key moved, a child keyed by its parent's column, a
// row below that one), shared by the property tests with and without faults.

export const TABLES = ['acct', 'item', 'slot', 'note'];
export const OPS = 60;

/** The workload's tables, with their foreign keys or without. */
export function tables(foreignKeys: boolean): string[] {
  const fk = (sql: string) => (foreignKeys ? sql : '');
  return [
    'CREATE TABLE acct (id int PRIMARY KEY, code text NOT NULL UNIQUE)',
    `CREATE TABLE item (id int PRIMARY KEY, acct_id int ${fk('REFERENCES acct (id) ON DELETE CASCADE ON UPDATE CASCADE')}, ` +
      `acct_code text ${fk('REFERENCES acct (code) ON UPDATE CASCADE ON DELETE SET NULL')}, n int NOT NULL)`,
    `CREATE TABLE slot (acct_code text NOT NULL ${fk('REFERENCES acct (code) ON UPDATE CASCADE ON DELETE CASCADE')}, ` +
      'k int NOT NULL, PRIMARY KEY (acct_code, k))',
    `CREATE TABLE note (id int PRIMARY KEY, item_id int ${fk('REFERENCES item (id) ON DELETE SET NULL')}, slot_code text, slot_k int${fk(
      ', FOREIGN KEY (slot_code, slot_k) REFERENCES slot (acct_code, k) ON UPDATE CASCADE ON DELETE CASCADE',
    )})`,
  ];
}

/** Creates the workload's tables on `adapter`, with their foreign keys or without. */
export const create = (adapter: DatabaseAdapter, foreignKeys: boolean) => recreateTables(adapter, TABLES, tables(foreignKeys));

/**
 * A write the primary refuses replicates nothing: a unique or foreign key check, or, with
 * several writers, a deadlock between their cascades that Postgres broke by rolling this
 * one back. Anything else fails the test.
 */
function refused(error: unknown): void {
  if (!/constraint|unique|foreign key|duplicate|deadlock/i.test(String(error))) throw error;
}

/**
 * One generated write, chosen among the rows the primary holds now; refused writes (a taken
 * code) are part of the workload. Returns the statement it sent (`transaction` for several).
 */
export async function step(dual: DatabaseAdapter, db: DatabaseAdapter, r: Random, next: () => number, moves = true): Promise<string> {
  const accts = await db.query<{ id: number; code: string }>('SELECT id, code FROM acct ORDER BY id');
  const items = await db.query<{ id: number }>('SELECT id FROM item ORDER BY id');
  const slots = await db.query<{ acct_code: string; k: number }>('SELECT acct_code, k FROM slot ORDER BY acct_code, k');
  const acct = accts.length > 0 ? r.pick(accts) : undefined;
  const choice = acct ? r.int(9) : 0;
  const id = next();
  // On a Postgres primary, half the writes come as the query builder writes them there: `$n`.
  const dollars = db.dialect === 'postgres' && r.int(2) === 0;
  const form = (sql: string) => (dollars ? toPostgresPlaceholders(sql) : sql);
  const run = async (sql: string, params: unknown[]) => {
    await dual.execute(form(sql), params).catch(refused);
    return sql;
  };
  if (choice === 0) return run('INSERT INTO acct (id, code) VALUES (?, ?)', [id, `c${id}`]);
  if (choice === 1) return run('UPDATE acct SET code = ? WHERE id = ?', [`c${id}`, acct!.id]);
  if (choice === 2 && moves) return run('UPDATE acct SET id = ? WHERE id = ?', [id, acct!.id]);
  if (choice === 3 && r.int(3) === 0) return run('DELETE FROM acct WHERE id = ?', [acct!.id]);
  if (choice <= 4) return run('INSERT INTO item (id, acct_id, acct_code, n) VALUES (?, ?, ?, ?)', [id, acct!.id, acct!.code, r.int(100)]);
  if (choice === 5) return run('INSERT INTO slot (acct_code, k) VALUES (?, ?)', [acct!.code, r.int(4)]);
  if (choice === 6 && items.length > 0 && slots.length > 0) {
    const slot = r.pick(slots);
    return run('INSERT INTO note (id, item_id, slot_code, slot_k) VALUES (?, ?, ?, ?)', [id, r.pick(items).id, slot.acct_code, slot.k]);
  }
  if (choice === 7 && items.length > 0) return run('DELETE FROM item WHERE id = ?', [r.pick(items).id]);
  // Several of the above in one transaction, where the primary has them.
  if (choice === 8 && moves && db.capabilities.transactions) {
    await dual
      .transaction(async (tx) => {
        await tx.execute(form('UPDATE acct SET code = ? WHERE id = ?'), [`t${id}`, acct!.id]);
        await tx.execute(form('UPDATE acct SET id = ? WHERE id = ?'), [id, acct!.id]);
      })
      .catch(refused);
    return 'transaction';
  }
  return run('UPDATE item SET n = n + 1 WHERE acct_id = ?', [acct!.id]);
}

/** `writers` writers at once, each making OPS generated writes drawn from the seed plus its number. */
export async function writeAtOnce(dual: DatabaseAdapter, primary: DatabaseAdapter, seed: number, writers: number): Promise<void> {
  let ids = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      const r = seededRandom(seed + w);
      for (let i = 0; i < OPS; i++) await step(dual, primary, r, () => ++ids);
    }),
  );
}

/** Fails, naming the seed, unless validation finds every row of the tables equal on both sides. */
export async function expectSameRows(primary: DatabaseAdapter, secondary: DatabaseAdapter, seed: number): Promise<void> {
  const report = await validateDatabases(primary, secondary, { tables: TABLES, validateAllRows: true });
  if (report.ok) return;
  // The rows themselves, as each side holds them: a rare interleaving is seldom seen twice.
  const details: string[] = [];
  for (const t of report.tables.filter((t) => t.status !== 'ok')) {
    for (const key of [...t.missingInTarget, ...t.extraInTarget, ...t.differentRows.map((d) => d.key)].slice(0, 5)) {
      const columns = Object.keys(key);
      const where = columns.map((c) => `${c} = ?`).join(' AND ');
      const values = columns.map((c) => key[c]);
      const rows = async (side: DatabaseAdapter) => JSON.stringify(await side.query(`SELECT * FROM ${t.table} WHERE ${where}`, values));
      details.push(`${t.table} ${JSON.stringify(key)}: primary ${await rows(primary)}, secondary ${await rows(secondary)}`);
    }
  }
  throw new Error(`seed ${seed} (DW_CHAOS_SEED=${seed} repeats the writes): ${report.summary}\n${details.join('\n')}`);
}
