import { describe, expect, it } from 'vitest';
import { createSQLiteAdapter, type SQLiteAdapter } from '@switchyard/sqlite';
import { copyTables, translateSchema, type CopyNotice } from '../src/index';
import { assertTablesEqual, usePostgresDatabase } from './fixtures';

/** store <-> staff reference each other, staff.boss_id references staff, sale hangs off staff, log has no key. */
function cycleSource(): SQLiteAdapter {
  const source = createSQLiteAdapter(':memory:');
  source.database.exec(`
    CREATE TABLE store (id INTEGER PRIMARY KEY, manager_staff_id INTEGER REFERENCES staff(id), name TEXT NOT NULL);
    CREATE TABLE staff (id INTEGER PRIMARY KEY, store_id INTEGER NOT NULL REFERENCES store(id), boss_id INTEGER REFERENCES staff(id), name TEXT);
    CREATE TABLE sale (id INTEGER PRIMARY KEY, staff_id INTEGER NOT NULL REFERENCES staff(id), amount NUMERIC);
    CREATE TABLE log (at TEXT, message TEXT);
  `);
  const db = source.database;
  db.exec('BEGIN; PRAGMA defer_foreign_keys = ON');
  for (let s = 1; s <= 40; s++) db.prepare('INSERT INTO store VALUES (?, ?, ?)').run(s, 41 - s, `store ${s}`);
  // Bosses have higher ids than their staff, so key order alone cannot satisfy the self-reference.
  for (let p = 1; p <= 40; p++) db.prepare('INSERT INTO staff VALUES (?, ?, ?, ?)').run(p, 41 - p, p < 40 ? p + 1 : null, `staff ${p}`);
  for (let i = 1; i <= 500; i++) db.prepare('INSERT INTO sale VALUES (?, ?, ?)').run(i, 1 + (i % 40), `${i}.5`);
  db.prepare('INSERT INTO log VALUES (?, ?)').run('2024-01-01', 'no key here');
  db.exec('COMMIT');
  return source;
}

describe('foreign-key cycles and self-references', () => {
  const postgres = usePostgresDatabase();

  it('dry run shows the order, the cycles and the tables without a key', async () => {
    const source = cycleSource();
    const target = createSQLiteAdapter(':memory:');
    for (const sql of translateSchema(await source.introspect(), 'sqlite', { exclude: ['log'] }).statements) await target.execute(sql);
    const { plan } = await copyTables(source, target, { dryRun: true });
    expect(plan).toMatchObject({ cycles: [['staff', 'store']], keyless: ['log'], excluded: [] });
    expect(plan!.order.indexOf('sale')).toBeGreaterThan(plan!.order.indexOf('staff'));
    await expect(copyTables(source, target)).rejects.toThrow(/"log".*keyColumns.*exclude.*keyless: 'skip'/s);
    await source.close();
    await target.close();
  });

  it('SQLite -> Postgres with the foreign keys in place: copied without hanging, constraints back and validated', async () => {
    const source = cycleSource();
    for (const sql of translateSchema(await source.introspect(), 'postgres', { exclude: ['log'] }).statements)
      await postgres.adapter.execute(sql);
    const notices: CopyNotice[] = [];
    const result = await copyTables(source, postgres.adapter, { keyless: 'skip', onNotice: (n) => notices.push(n), batchSize: 7 });
    expect(result.tables.map((t) => t.status)).toEqual(['done', 'done', 'done']);
    expect(result.plan?.keyless).toEqual(['log']);
    for (const table of ['store', 'staff', 'sale']) await assertTablesEqual(source, postgres.adapter, table);
    expect(
      notices
        .filter((n) => n.kind === 'constraints')
        .map((n) => n.message)
        .join('\n'),
    ).toMatch(/dropped for the copy[\s\S]*added back and validated/);
    const fks = await postgres.adapter.query<{ conname: string; convalidated: boolean }>(
      "SELECT conname, convalidated FROM pg_constraint WHERE contype = 'f' AND conrelid IN ('store'::regclass, 'staff'::regclass, 'sale'::regclass)",
    );
    expect(fks).toHaveLength(4);
    expect(fks.every((f) => f.convalidated)).toBe(true);
    await source.close();
  });

  it('Postgres -> SQLite with foreign keys enforced on the target connection', async () => {
    const source = cycleSource();
    const target = createSQLiteAdapter(':memory:');
    for (const sql of translateSchema(await source.introspect(), 'sqlite', { exclude: ['log'] }).statements) await target.execute(sql);
    expect(target.database.pragma('foreign_keys', { simple: true })).toBe(1);
    const notices: CopyNotice[] = [];
    const result = await copyTables(postgres.adapter, target, {
      tables: ['store', 'staff', 'sale'],
      onNotice: (n) => notices.push(n),
      batchSize: 7,
    });
    expect(result.tables.every((t) => t.status === 'done')).toBe(true);
    for (const table of ['store', 'staff', 'sale']) await assertTablesEqual(postgres.adapter, target, table);
    expect(target.database.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(notices.some((n) => n.kind === 'constraints' && /checked and enforced again/.test(n.message))).toBe(true);
    await source.close();
    await target.close();
  });
});
