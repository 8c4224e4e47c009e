import { expect } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { validateDatabases } from '@switchyard/validation';

/**
 * Three tables whose foreign keys act on delete: a child CASCADEs from its parent and has a
 * second reference that is SET NULL, and a grandchild CASCADEs from the child. Without
 * `foreignKeys` the same columns hold no constraint, as on a secondary before the post-data step.
 */
export const cascadeTables = (foreignKeys: boolean): string[] => [
  'CREATE TABLE parent (id int PRIMARY KEY, name text)',
  `CREATE TABLE child (id int PRIMARY KEY, parent_id int ${foreignKeys ? 'REFERENCES parent (id) ON DELETE CASCADE' : ''}, ` +
    `other_id int ${foreignKeys ? 'REFERENCES parent ON DELETE SET NULL' : ''})`,
  `CREATE TABLE grandchild (id int PRIMARY KEY, child_id int ${foreignKeys ? 'REFERENCES child (id) ON DELETE CASCADE' : ''})`,
];

/** Creates the tables on `adapter` (dropping a Postgres side's earlier ones and its outbox first). */
export async function createCascadeTables(adapter: DatabaseAdapter, foreignKeys: boolean): Promise<DatabaseAdapter> {
  if (adapter.dialect === 'postgres') await adapter.execute('DROP TABLE IF EXISTS grandchild, child, parent, _switchyard_outbox');
  for (const ddl of cascadeTables(foreignKeys)) await adapter.execute(ddl);
  return adapter;
}

/**
 * What the secondary holds after parent 1 was deleted (child 10 cascaded, child 11's
 * other_id set NULL, grandchild 100 cascaded) and child 10 was inserted again under parent
 * 2; and that validation finds both sides equal.
 */
export async function expectCascaded(primary: DatabaseAdapter, secondary: DatabaseAdapter): Promise<void> {
  expect(await secondary.query('SELECT id, parent_id, other_id FROM child ORDER BY id')).toEqual([
    { id: 10, parent_id: 2, other_id: null },
    { id: 11, parent_id: 2, other_id: null },
    { id: 12, parent_id: 2, other_id: 2 },
  ]);
  expect(await secondary.query('SELECT id FROM grandchild ORDER BY id')).toEqual([{ id: 101 }]);
  const report = await validateDatabases(primary, secondary, { tables: ['parent', 'child', 'grandchild'], validateAllRows: true });
  if (!report.ok) throw new Error(report.summary);
}
