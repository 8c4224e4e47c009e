import type { DatabaseAdapter, TableInfo } from '@switchyard/core';
import type { ReplicatorParts, SecondaryWork } from './replication-types';
import { dependentLocks } from './dependent-locks';
import { refOf } from './row-images';
import { updateActions } from './update-actions';

/**
 * The tables (lower case) whose rows reference other tables' columns outside their key
 * through `ON UPDATE` actions, each with those referenced tables: a seat under its
 * account's code, but not a row under its parent's id.
 */
export function valueReferencedParents(tables: TableInfo[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [parent, list] of updateActions(tables)) {
    for (const { child, byKey } of list) {
      if (byKey) continue;
      const name = child.name.toLowerCase();
      out.set(name, (out.get(name) ?? new Set()).add(parent));
    }
  }
  return out;
}

/**
 * Notes the rows a write leaves under a parent's value (a seat under its account's code)
 * while another write holds that parent's table: one that settles from the primary's
 * current rows (a transaction, once committed) may find the parent renamed again by then
 * and never give the secondary the value this row was written under, so no later rename
 * finds the row there to move. The rows are settled again from the primary once those
 * writes are done (`settleContended`). Nothing to do, and nothing waited for, on most writes.
 */
export function recheckParents(parts: Pick<ReplicatorParts, 'catalog' | 'locks'>, primary: DatabaseAdapter, work: SecondaryWork): void {
  const byChild = parts.catalog.derivedNow(primary, valueReferencedParents);
  if (!byChild?.size) return;
  const written = work.images.filter((i) => i.row && byChild.has(i.table.toLowerCase()));
  if (written.length === 0) return;
  const parents = [...new Set(written.flatMap((i) => [...byChild.get(i.table.toLowerCase())!]))];
  dependentLocks(parts.locks, work)?.recheckParents(parents, written.map(refOf));
}
