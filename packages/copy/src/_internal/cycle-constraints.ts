import { InvalidArgumentError, SWITCHYARD_TABLE_PREFIX, nativeHandle, quoteIdentifier, type DatabaseAdapter } from '@switchyard/core';

/** Where foreign keys set aside for a cycle wait to be put back, so a crashed copy's next run restores them. */
export const DEFERRED_FK_TABLE = `${SWITCHYARD_TABLE_PREFIX}deferred_fks`;

/** Puts enforcement back once every table is copied; returns what it did, for the log. */
export type RestoreConstraints = () => Promise<string[]>;

/**
 * Lets tables that reference each other be copied in any order. Rows of a cycle
 * (`store <-> staff`, `employee.manager_id`) cannot all arrive after their parents, so
 * the target's foreign keys between tables of one cycle are not enforced while they are
 * copied, then checked in full:
 * - Postgres: those constraints are dropped (their definitions kept in
 *   `_switchyard_deferred_fks`, in the same transaction) and added back `NOT VALID`
 *   followed by `VALIDATE CONSTRAINT`, as pg_dump's post-data phase does.
 * - SQLite: `PRAGMA foreign_keys = OFF` for the copy, then `PRAGMA foreign_key_check`.
 * - D1 enforces every statement and cannot drop a constraint: refused with what to do.
 * `cycles` holds target table names.
 */
export async function deferCycleConstraints(
  target: DatabaseAdapter,
  cycles: readonly string[][],
): Promise<{ notes: string[]; restore: RestoreConstraints }> {
  if (target.dialect === 'postgres') return deferPostgres(target, cycles);
  const nothing = { notes: [], restore: async () => [] };
  if (cycles.length === 0) return nothing;
  const inCycle = await cycleEdges(target, cycles);
  if (inCycle.length === 0) return nothing;
  if (target.dialect === 'd1') {
    throw new InvalidArgumentError(
      `Foreign keys ${inCycle.join(', ')} link tables that reference each other, and D1 checks them on every statement, ` +
        'so no copy order can satisfy them. Create these tables on D1 without those REFERENCES clauses (translateSchema ' +
        "for 'd1' leaves them out and lists them in its warnings), or leave the tables out of the copy.",
    );
  }
  const db = nativeHandle(target, 'better-sqlite3')?.database;
  if (!db) return nothing;
  const pragma = db.pragma.bind(db);
  if (Number(pragma('foreign_keys', { simple: true })) !== 1) return nothing;
  pragma('foreign_keys = OFF');
  return {
    notes: [`foreign keys ${inCycle.join(', ')} form a cycle: enforcement is off on this SQLite connection until the copy ends`],
    restore: async () => {
      pragma('foreign_keys = ON');
      const broken = cycles.flat().flatMap((t) => pragma(`foreign_key_check(${quoteIdentifier(t)})`) as unknown[]);
      if (broken.length > 0) {
        throw new InvalidArgumentError(
          `${broken.length} row(s) of ${cycles.flat().join(', ')} reference rows missing from the target after the copy ` +
            `(first: ${JSON.stringify(broken[0])}); run PRAGMA foreign_key_check on the target to list them.`,
        );
      }
      return [`foreign keys of ${cycles.flat().join(', ')} checked and enforced again`];
    },
  };
}

/** `child.fk -> parent` for the target's foreign keys inside one cycle (SQLite and D1). */
async function cycleEdges(target: DatabaseAdapter, cycles: readonly string[][]): Promise<string[]> {
  const tables = await target.introspect();
  const out: string[] = [];
  for (const cycle of cycles) {
    const names = new Set(cycle.map((n) => n.toLowerCase()));
    for (const t of tables) {
      if (!names.has(t.name.toLowerCase())) continue;
      for (const fk of t.foreignKeys) {
        if (names.has(fk.referencedTable.split('.').pop()!.toLowerCase()))
          out.push(`${t.name}(${fk.columns.join(', ')}) -> ${fk.referencedTable}`);
      }
    }
  }
  return out;
}

async function deferPostgres(
  target: DatabaseAdapter,
  cycles: readonly string[][],
): Promise<{ notes: string[]; restore: RestoreConstraints }> {
  const notes: string[] = [];
  if (cycles.length > 0) {
    const found = await target.query<{ table_ref: string; constraint_name: string; definition: string; child: string; parent: string }>(
      'SELECT c.conrelid::regclass::text AS table_ref, c.conname AS constraint_name, pg_get_constraintdef(c.oid) AS definition, ' +
        'cl.relname AS child, pl.relname AS parent FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid ' +
        "JOIN pg_class pl ON pl.oid = c.confrelid WHERE c.contype = 'f' AND pl.relnamespace = cl.relnamespace " +
        'AND cl.relnamespace = current_schema()::regnamespace',
    );
    const groupOf = new Map<string, number>();
    cycles.forEach((c, i) => c.forEach((n) => groupOf.set(n.toLowerCase(), i)));
    const inCycle = found.filter((f) => {
      const g = groupOf.get(f.child.toLowerCase());
      return g !== undefined && g === groupOf.get(f.parent.toLowerCase());
    });
    if (inCycle.length > 0) {
      // Workers starting together: one IF NOT EXISTS may fail on the catalog's unique index; a second try sees the table.
      await createDeferredTable(target).catch(() => createDeferredTable(target));
      await target.transaction(async (tx) => {
        for (const f of inCycle) {
          await tx.execute(
            `INSERT INTO ${quoteIdentifier(DEFERRED_FK_TABLE)} (table_ref, constraint_name, definition) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
            [f.table_ref, f.constraint_name, f.definition],
          );
          await tx.execute(`ALTER TABLE ${f.table_ref} DROP CONSTRAINT ${quoteIdentifier(f.constraint_name)}`);
        }
      });
      notes.push(
        `foreign keys ${inCycle.map((f) => `${f.table_ref}.${f.constraint_name}`).join(', ')} form a cycle: ` +
          `dropped for the copy and kept in ${DEFERRED_FK_TABLE}; added back NOT VALID and validated when every table is copied`,
      );
    }
  }
  return {
    notes,
    restore: async () => {
      const table = await target.first<{ t: unknown }>(`SELECT to_regclass(?) AS t`, [quoteIdentifier(DEFERRED_FK_TABLE)]);
      if (!table?.t) return [];
      const pending = await target.query<{ table_ref: string; constraint_name: string; definition: string }>(
        `SELECT table_ref, constraint_name, definition FROM ${quoteIdentifier(DEFERRED_FK_TABLE)} ORDER BY table_ref, constraint_name`,
      );
      const done: string[] = [];
      for (const p of pending) {
        const name = quoteIdentifier(p.constraint_name);
        await target.transaction(async (tx) => {
          const exists = await tx.first('SELECT 1 AS x FROM pg_constraint WHERE conrelid = ?::regclass AND conname = ?', [
            p.table_ref,
            p.constraint_name,
          ]);
          if (!exists)
            await tx.execute(`ALTER TABLE ${p.table_ref} ADD CONSTRAINT ${name} ${p.definition.replace(/\s+NOT VALID$/i, '')} NOT VALID`);
          await tx.execute(`DELETE FROM ${quoteIdentifier(DEFERRED_FK_TABLE)} WHERE table_ref = ? AND constraint_name = ?`, [
            p.table_ref,
            p.constraint_name,
          ]);
        });
        // Validation scans the table under a lock that lets writes go on.
        await target.execute(`ALTER TABLE ${p.table_ref} VALIDATE CONSTRAINT ${name}`);
        done.push(`${p.table_ref}.${p.constraint_name}`);
      }
      return done.length > 0 ? [`foreign keys ${done.join(', ')} added back and validated`] : [];
    },
  };
}

function createDeferredTable(target: DatabaseAdapter): Promise<unknown> {
  return target.execute(
    `CREATE TABLE IF NOT EXISTS ${quoteIdentifier(DEFERRED_FK_TABLE)} (table_ref TEXT NOT NULL, constraint_name TEXT NOT NULL, ` +
      'definition TEXT NOT NULL, PRIMARY KEY (table_ref, constraint_name))',
  );
}
