import type { DatabaseAdapter, ForeignKeyInfo, Row, TableInfo } from '@switchyard/core';
import type { RowRef } from '../row-ref';
import { MAX_DEPTH, heldImages, referencing, type ReadCurrent } from './cascade-rows';
import { within } from './time-allowance';
import { updateActions } from './update-actions';
import { readOn } from './failed-side';
import { heldEffects, type ReferencedChange } from './held-effects';
import { imageStatements, keyValue, pickCaseless, refOf, rowName, type RowImage } from './row-images';
import type { UpdatedRow } from '../mirror/mirror-op';
import type { ReplicatorParts, SecondaryWork } from './replication-types';
import type { TableCatalog } from './table-catalog';
import { dependentLocks, lockingRead } from './dependent-locks';

/**
 * The rows that the primary's `ON UPDATE` foreign key actions changed along with the rows
 * `images` write: an image holds its own row, but a `CASCADE` rewrote the rows that
 * referenced the value it changed, and `SET NULL` cleared them. A secondary without those
 * foreign keys (they are created after the backfill) would keep them as they were. Before
 * the images land, the secondary's rows of the same keys tell which referenced values
 * change; the rows there that reference the old values, and the rows of the primary that
 * reference the new ones after a `CASCADE` (one keyed by them came back under a new key),
 * are taken from the primary as they are now, and so on below them. The rows returned go
 * after `images`. A write's own image never changes its key (an `UPDATE` of a key is
 * replayed as its statement), so a foreign key on the key is followed only below rows a
 * cascade changed. `moved`: the images hold the rows a key move left (each one's new key
 * may have been another's old key), whose referencing rows on the primary are all brought.
 * `asOfEntry` (a drain): a referencing row the primary no longer holds gets what the
 * action did to it then rather than a delete (see `heldEffects`). `settling` (rows settled
 * from the primary's current state: a replay, a settled difference): the rows a `CASCADE`
 * keyed by the referenced values are brought under the current values even when those
 * did not change on the secondary. `via`: where the primary is read (its open transaction,
 * if any). Uses the primary's tables as already read (none read yet: nothing to add).
 */
export async function updatedDependents(
  catalog: TableCatalog,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  images: readonly RowImage[],
  readCurrent: ReadCurrent,
  how: {
    depth?: number;
    moved?: boolean;
    asOfEntry?: boolean;
    before?: Map<string, Row | null>;
    settling?: boolean;
    via?: DatabaseAdapter;
  } = {},
): Promise<RowImage[]> {
  const { depth = 0, moved = false, asOfEntry = false } = how;
  const actions = depth < MAX_DEPTH && images.length > 0 ? catalog.derivedNow(primary, updateActions) : undefined;
  if (!actions || actions.size === 0) return [];
  const out: RowImage[] = [];
  for (const [table, group] of byTable(images)) {
    const acting = actions.get(table.toLowerCase())?.filter((a) => depth > 0 || !a.byKey) ?? [];
    // The app's own deletes are followed by their ON DELETE actions, not these.
    const written = depth > 0 ? group : group.filter((i) => i.row !== null);
    const target = acting.length > 0 && written.length > 0 ? await catalog.table(secondary, table) : undefined;
    if (!target) continue;
    const before = await heldBefore(secondary, target, written, depth === 0 ? how.before : undefined);
    const refs: RowRef[] = [];
    const found: FoundReferences[] = [];
    // A key move's rows: one old key and one new is the same row moved (several are not paired).
    const left = written.filter((i) => i.row !== null);
    const sole = moved && left.length === 1 && written.length === 2 ? left[0]!.row : null;
    for (const { child, fk, cascades, keysChild } of acting) {
      // A settle from the primary's current rows may find the referenced values already
      // current on the secondary (an earlier entry of the same row brought them): the rows a
      // cascade moved to a new key are then found under it, as their entries name the old one.
      const settlesKeys = how.settling === true && keysChild;
      const changes: ReferencedChange[] = [];
      const now: Record<string, unknown>[] = [];
      // Values a row still holds after the write (a key move that kept the code): nothing referencing them changed.
      const kept = new Set(left.map((i) => valuesOf(i.row!, fk.referencedColumns)));
      for (const [n, image] of written.entries()) {
        const was = before[n]!.row;
        const changed = was !== null && image.row !== null && differs(was, image.row, fk.referencedColumns);
        const gone = was !== null && image.row === null && !kept.has(valuesOf(was, fk.referencedColumns));
        if (was && (gone || changed)) changes.push({ was, now: image.row ?? sole });
        if (cascades && image.row && (changed || moved || (was === null && depth > 0) || settlesKeys)) now.push(image.row);
      }
      const childOnSide = changes.length > 0 ? await catalog.table(secondary, child.name) : undefined;
      if (childOnSide) {
        const held = await readOn(
          secondary,
          referencing(
            secondary,
            child,
            childOnSide,
            fk,
            changes.map((c) => c.was),
          ),
        );
        found.push({ child, childOnSide, fk, changes, names: new Set(held.map((r) => rowName(r.table, r.key))) });
        refs.push(...held);
      }
      if (now.length > 0) refs.push(...(await readOn(primary, referencing(how.via ?? primary, child, child, fk, now))));
    }
    const seen = new Set(out.map((i) => rowName(i.table, i.key)));
    const fresh = refs.filter((r) => !seen.has(rowName(r.table, r.key)) && seen.add(rowName(r.table, r.key)));
    if (fresh.length === 0) continue;
    let changed = await readCurrent(fresh);
    if (asOfEntry) changed = await withHeldEffects(secondary, changed, found);
    const below = await updatedDependents(catalog, primary, secondary, changed, readCurrent, { depth: depth + 1, asOfEntry, via: how.via });
    out.push(...changed, ...below);
  }
  return out;
}

/**
 * The secondary's rows under the keys of `written`. With `kept`, those it holds are taken
 * from it and those read are added to it: a second lookup after the rows other writes had
 * on their way landed looks for the values the secondary held before this write.
 */
async function heldBefore(
  secondary: DatabaseAdapter,
  target: TableInfo,
  written: readonly RowImage[],
  kept: Map<string, Row | null> | undefined,
): Promise<RowImage[]> {
  const name = (i: RowImage) => rowName(i.table, i.key);
  if (kept && written.every((i) => kept.has(name(i)))) return written.map((i) => ({ ...i, row: kept.get(name(i))! }));
  const read = await heldImages(secondary, target, written);
  if (kept) for (const [n, i] of written.entries()) kept.set(name(i), read[n]!.row);
  return read;
}

/** The rows on the secondary (`names`) that reference values `changes` changed, through one foreign key. */
interface FoundReferences {
  child: TableInfo;
  childOnSide: TableInfo;
  fk: ForeignKeyInfo;
  changes: ReferencedChange[];
  names: Set<string>;
}

/** `changed` with each row the primary no longer holds, found on the secondary through one of `found`, as its action changed it then. */
async function withHeldEffects(secondary: DatabaseAdapter, changed: RowImage[], found: readonly FoundReferences[]): Promise<RowImage[]> {
  const effects = new Map<string, RowImage>();
  for (const { child, childOnSide, fk, changes, names } of found) {
    const gone = changed.filter((i) => i.row === null && names.has(rowName(i.table, i.key)));
    const columns = child.columns.filter((c) => fk.columns.some((f) => f.toLowerCase() === c.name.toLowerCase())).map((c) => c.name);
    const held = gone.length > 0 ? await heldImages(secondary, childOnSide, gone) : [];
    for (const e of heldEffects(secondary, child, childOnSide, fk, changes, gone, held)) {
      // A row two foreign keys changed gets both statements, and both changes in its row.
      const name = rowName(e.table, e.key);
      const prior = effects.get(name);
      const merged = Object.fromEntries(columns.map((c) => [c, e.row![c]]));
      effects.set(name, prior ? { ...prior, row: { ...prior.row, ...merged }, effects: [...prior.effects!, ...e.effects!] } : e);
    }
  }
  return effects.size === 0 ? changed : changed.map((i) => effects.get(rowName(i.table, i.key)) ?? i);
}

function byTable(images: readonly RowImage[]): Map<string, RowImage[]> {
  const out = new Map<string, RowImage[]>();
  for (const image of images) {
    const list = out.get(image.table);
    if (list) list.push(image);
    else out.set(image.table, [image]);
  }
  return out;
}

/** The referenced values of a row as one text, for comparing rows across sides. */
function valuesOf(row: Record<string, unknown>, columns: readonly string[]): string {
  return JSON.stringify(columns.map((c) => String(pickCaseless(row, c))));
}

/**
 * Whether the referenced values differ between the secondary's row and the primary's. The
 * sides may spell one value differently (a bigint as text): that only costs a lookup.
 */
function differs(was: Record<string, unknown>, now: Record<string, unknown>, columns: readonly string[]): boolean {
  return columns.some((c) => String(pickCaseless(was, c)) !== String(pickCaseless(now, c)));
}

/**
 * Appends the {@link updatedDependents} of a write's images to its work, after its own
 * rows (on a secondary that has those foreign keys, the parent's new value must be there
 * first); returns whether it added any. A failed lookup fails the write on the secondary:
 * its journaled rows are settled later through the same lookup, while the secondary still
 * holds the old values.
 */
export async function addUpdatedDependents(
  parts: ReplicatorParts,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  work: SecondaryWork,
): Promise<boolean> {
  const { catalog, settler } = parts;
  // On most writes no such foreign key references the table: that is known without waiting.
  const parents = catalog.derivedNow(primary, updateActingParents);
  if (!parents?.size || !work.images.some((i) => i.row && parents.has(i.table.toLowerCase()))) return false;
  const held = dependentLocks(parts.locks, work);
  const before = held ? new Map<string, Row | null>() : undefined;
  if (held && before) {
    // Asked before the lookup: a write that held a child table may land and let go of it meanwhile.
    const written = work.images.filter((i) => i.row && parents.has(i.table.toLowerCase()));
    const actions = catalog.derivedNow(primary, updateActions);
    const children = written.flatMap((i) => actions?.get(i.table.toLowerCase()) ?? []);
    held.recheckUpdates(
      children.map((a) => a.child.name),
      written,
      before,
    );
  }
  const lookup = updatedDependents(catalog, primary, secondary, work.images, lockingRead(parts, primary, work), { before });
  const dependents = await within(lookup, parts.options.secondaryTimeoutMs, secondary, work.images.length);
  if (dependents.length === 0) return false;
  const more = await settler.pairs(
    primary,
    secondary,
    dependents.map((i) => i.table),
  );
  const own = work.pairs;
  const ownTables = new Set(work.images.map((i) => i.table));
  work.images.push(...dependents);
  work.statements.push(...imageStatements(dependents, more, primary.dialect, secondary));
  // Their upserts return nothing: rows are compared by reading them again.
  work.returning = false;
  if (own) work.pairs = (table) => (ownTables.has(table) ? own(table) : more(table));
  return true;
}

/**
 * The tables (lower case) whose written rows may change others through an `ON UPDATE`
 * action of `tables`: those a foreign key references by columns outside their key.
 */
export function updateActingParents(tables: TableInfo[]): Set<string> {
  return new Set([...updateActions(tables)].filter(([, list]) => list.some((a) => !a.byKey)).map(([name]) => name));
}

/**
 * Of the rows a write left (`images`, as the primary left them), those of tables whose
 * other columns the primary's `ON UPDATE` foreign keys reference, with the values of those
 * columns: a queue message names them, so a consumer given the primary can follow those
 * actions as of the write (see `MirrorOp.updated`). The last image of a row counts.
 */
export function updatedRows(catalog: TableCatalog, primary: DatabaseAdapter, images: readonly RowImage[]): UpdatedRow[] {
  const actions = catalog.derivedNow(primary, updateActions);
  const out = new Map<string, UpdatedRow>();
  for (const image of images) {
    const acting = actions?.get(image.table.toLowerCase())?.filter((a) => !a.byKey) ?? [];
    if (acting.length === 0) continue;
    const ref = refOf(image);
    const name = rowName(ref.table, ref.key);
    out.delete(name);
    if (!image.row) continue;
    const values: RowRef['key'] = {};
    for (const column of acting.flatMap((a) => a.fk.referencedColumns)) values[column] = keyValue(pickCaseless(image.row, column));
    out.set(name, { ...ref, values });
  }
  return [...out.values()];
}
