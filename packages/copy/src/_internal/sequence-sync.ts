import { advanceKeyGenerators, type DatabaseAdapter, type TableInfo } from '@switchyard/core';

/**
 * Moves every sequence a Postgres table's integer columns draw from (serial, identity, or a
 * `DEFAULT nextval(…)` on a sequence the column does not own) past the highest value now in
 * its column. Rows copied with explicit ids leave the sequence where it was (at 1 on a fresh
 * table), and the application's next insert would collide. The sequence is never moved
 * backwards: dual writes may already have taken it further.
 */
export async function syncSequences(target: DatabaseAdapter, table: TableInfo): Promise<number> {
  if (target.dialect !== 'postgres') return 0;
  const done = await advanceKeyGenerators(target, [], { tables: [table.name], ...(table.schema ? { schemas: [table.schema] } : {}) });
  // The name filter ignores case: a table named so in other letters' case is moved past its own
  // max(id) too, which changes nothing it would hand out; it is not counted.
  return done.filter((g) => g.table === table.name && g.moved).length;
}
