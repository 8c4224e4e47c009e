import type { ForeignKeyInfo, TableInfo } from '@switchyard/core';
import { referencedBy, referencedName } from './cascade-rows';

/** Foreign key actions by which changing a referenced value changes the rows that reference it. */
export const ACTS_ON_UPDATE = /^(CASCADE|SET NULL|SET DEFAULT)$/i;

/** A foreign key of the primary that acts on update, with the columns it references spelled out. */
export interface UpdateAction {
  child: TableInfo;
  fk: ForeignKeyInfo;
  cascades: boolean;
  /** It references the parent's primary key, which only rows a cascade changed change. */
  byKey: boolean;
  /** Its columns are part of the child's key: a `CASCADE` moves the child to a new key. */
  keysChild: boolean;
}

/** The primary's foreign keys that act on update, by referenced table (lower case). */
export function updateActions(tables: TableInfo[]): Map<string, UpdateAction[]> {
  const out = new Map<string, UpdateAction[]>();
  for (const child of tables) {
    if (child.primaryKey.length === 0) continue;
    for (const fk of child.foreignKeys) {
      if (!ACTS_ON_UPDATE.test(fk.onUpdate ?? '')) continue;
      const name = referencedName(fk);
      const parent = tables.find((t) => t.name.toLowerCase() === name);
      if (!parent) continue;
      const { referenced, byKey } = referencedBy(fk, parent);
      const keysChild = child.primaryKey.some((k) => fk.columns.some((c) => c.toLowerCase() === k.toLowerCase()));
      const list = out.get(name) ?? [];
      list.push({ child, fk: { ...fk, referencedColumns: referenced }, cascades: /^CASCADE$/i.test(fk.onUpdate!), byKey, keysChild });
      out.set(name, list);
    }
  }
  return out;
}

/**
 * The tables that the primary's `ON UPDATE` actions tie to each table (lower case): those
 * whose actions change its rows, and those whose rows its actions change.
 */
export function updateRelatives(tables: TableInfo[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const relate = (a: string, b: string) => {
    const set = out.get(a) ?? new Set<string>();
    set.add(b);
    out.set(a, set);
  };
  for (const [parent, list] of updateActions(tables)) {
    for (const { child } of list) {
      relate(parent, child.name.toLowerCase());
      relate(child.name.toLowerCase(), parent);
    }
  }
  return out;
}
