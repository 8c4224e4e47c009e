import type { ForeignKeyInfo, TableInfo } from '@switchyard/core';

/** The table a foreign key points at, without a schema prefix. */
export function referencedName(fk: ForeignKeyInfo): string {
  return fk.referencedTable.split('.').pop()!;
}

/**
 * Orders tables parents first, so foreign keys hold while children are copied.
 * Tables that reference each other (a foreign-key cycle, `store <-> staff`) or themselves
 * (`employee.manager_id`) cannot be ordered that way: each such group is reported in
 * `cycles` (self-references as groups of one) and placed, in name order, where the whole
 * group's outside parents are done.
 */
export function orderByForeignKeys(tables: readonly TableInfo[]): { ordered: TableInfo[]; cycles: string[][] } {
  const groups = stronglyConnected(tables);
  const groupOf = new Map<string, number>();
  groups.forEach((g, i) => g.forEach((t) => groupOf.set(t.name, i)));
  const cycles = groups
    .filter((g) => g.length > 1 || g[0]!.foreignKeys.some((fk) => referencedName(fk) === g[0]!.name))
    .map((g) => g.map((t) => t.name).sort((a, b) => a.localeCompare(b)));
  // Kahn's algorithm over the groups (a DAG), ties broken by name for a stable order.
  const done = new Set<number>();
  const ordered: TableInfo[] = [];
  let remaining = groups.map((g, i) => ({ i, g, name: g.map((t) => t.name).sort()[0]! })).sort((a, b) => a.name.localeCompare(b.name));
  while (remaining.length > 0) {
    const ready = remaining.filter(({ i, g }) =>
      g.every((t) =>
        t.foreignKeys.every((fk) => {
          const p = groupOf.get(referencedName(fk));
          return p === undefined || p === i || done.has(p);
        }),
      ),
    );
    for (const { i, g } of ready) {
      ordered.push(...[...g].sort((a, b) => a.name.localeCompare(b.name)));
      done.add(i);
    }
    remaining = remaining.filter(({ i }) => !done.has(i));
  }
  return { ordered, cycles };
}

/**
 * Tables among `names` that must be copied before `table`: those it references, less
 * itself and the tables of its own cycle (which are copied alongside it).
 */
export function parentsOf(table: TableInfo, names: ReadonlySet<string>, cycles: readonly string[][] = []): string[] {
  const cycle = cycles.find((c) => c.includes(table.name)) ?? [];
  return [...new Set(table.foreignKeys.map(referencedName))].filter((n) => n !== table.name && names.has(n) && !cycle.includes(n));
}

/** Tarjan's strongly connected components of the foreign-key graph, iteratively. */
function stronglyConnected(tables: readonly TableInfo[]): TableInfo[][] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: TableInfo[][] = [];
  let counter = 0;
  const edges = (name: string) =>
    byName
      .get(name)!
      .foreignKeys.map(referencedName)
      .filter((n) => byName.has(n));
  for (const root of tables) {
    if (index.has(root.name)) continue;
    const work: { name: string; next: number; succ: string[] }[] = [];
    const visit = (name: string) => {
      index.set(name, counter);
      low.set(name, counter++);
      stack.push(name);
      onStack.add(name);
      work.push({ name, next: 0, succ: edges(name) });
    };
    visit(root.name);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.next < frame.succ.length) {
        const w = frame.succ[frame.next++]!;
        if (!index.has(w)) visit(w);
        else if (onStack.has(w)) low.set(frame.name, Math.min(low.get(frame.name)!, index.get(w)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.name, Math.min(low.get(parent.name)!, low.get(frame.name)!));
      if (low.get(frame.name) === index.get(frame.name)) {
        const group: TableInfo[] = [];
        for (;;) {
          const w = stack.pop()!;
          onStack.delete(w);
          group.push(byName.get(w)!);
          if (w === frame.name) break;
        }
        out.push(group);
      }
    }
  }
  return out;
}
