import type { SqlRehearsal } from './rehearsal/sql-rehearsal';
import { InvalidArgumentError, type DatabaseAdapter, type DialectName, type Row, type TableInfo } from '@switchyard/core';
import type { DualWriteEvent } from './dual-write-events';
import type { WriteJournal } from './journal-types';
import type { Mirror } from './mirror/mirror-types';
import type { ControlOptions, ControlStore } from './control/control-types';
import { excludedNames, excludedReads } from './_internal/excluded-tables';

/** Send a share of reads to the secondary during a rollout. */
export interface ReadRoutingOptions {
  /** Percent of reads (0-100) answered by the secondary; a failed one is retried on the primary. A read calling `nextval`, an advisory lock or another function of the primary's session always runs on the primary. Default `0`. */
  secondaryPercent: number;
}

/** Run a sample of reads on both sides and count the differences. */
export interface ShadowReadOptions {
  /** Share of primary reads (0-1) also run on the secondary. */
  sampleRate: number;
  /**
   * Decides whether the two results match. Default: same rows in any order, values
   * compared by logical type (as `verifyWrites` does).
   */
  compare?: (primary: Row[], secondary: Row[], sql: string) => boolean;
}

/**
 * Turns tables into another engine's DDL: `translateSchema` from `@switchyard/copy` (see
 * {@link DualWriteOptions.translateSchema}). `objects` carries a view to translate (its
 * `CREATE VIEW` is in `postData` when its SQL translates); the other lists are empty.
 */
export type SchemaTranslator = (
  tables: TableInfo[],
  to: DialectName,
  options: { from: DialectName; ifNotExists: boolean; objects?: TranslatedObjects },
) => { tables: string[]; postData: string[]; untranslated: readonly { table: string; column?: string; message: string }[] };

/** The objects besides tables dual write asks {@link SchemaTranslator} to translate: views. */
export interface TranslatedObjects {
  dialect: DialectName;
  views: { name: string; sql: string }[];
  checks: never[];
  triggers: never[];
  functions: never[];
  rules: never[];
  domains: never[];
  enums: never[];
  generated: never[];
}

/**
 * Options of `createDualWriteAdapter`.
 *
 * @example
 * ```ts
 * const options: DualWriteOptions = { mode: 'primary-sqlite', verifyWrites: true, continueOnSecondaryFailure: true };
 * ```
 */
export interface DualWriteOptions {
  /** `'primary-<name>'`, where name is one adapter's `name`. Default: the first adapter is primary. */
  mode?: `primary-${string}`;
  /** Compare rows affected and `RETURNING` rows of both sides after each write. Default `false`. */
  verifyWrites?: boolean;
  /** Let a write succeed when only the secondary failed (it is journaled either way). Default `false`. */
  continueOnSecondaryFailure?: boolean;
  /**
   * When the secondary refuses a write with a constraint violation (a backfill copied the
   * row before the app's own write reached the secondary), copy the rows the write
   * touches from the primary instead: upsert them by primary key, or delete those the
   * primary no longer has. Only for writes whose every statement names its rows by full
   * primary key (`INSERT ... VALUES`, `UPDATE`/`DELETE ... WHERE id = ?`); anything else,
   * or a copy the secondary refuses too, is journaled as before. Counted in
   * `secondaryConflictsResolved`, reported as a `secondary-conflict` event. Default `true`.
   */
  takePrimaryOnConflict?: boolean;
  /** Measure latencies. Counters are always kept. Default `true`. */
  collectMetrics?: boolean;
  /** Send a share of reads to the secondary. */
  readRouting?: ReadRoutingOptions;
  /** Compare a sample of reads on both sides. */
  shadowReads?: ShadowReadOptions;
  /** Where failed secondary writes are kept. Default: {@link memoryJournal}. */
  journal?: WriteJournal;
  /** Receives every {@link DualWriteEvent}. */
  onEvent?: (event: DualWriteEvent) => void;
  /**
   * When the secondary is written. `'sync'` (the default): each call returns after both
   * sides have the write. `'async'`: each call returns after the primary has it, and
   * `mirror` carries it to the secondary later.
   */
  secondaryWrites?: 'sync' | 'async';
  /** With `secondaryWrites: 'async'`: `outboxMirror(primary)` or `queueMirror(queue)`, from `@switchyard/dual-write/mirror`. */
  mirror?: Mirror;
  /**
   * Longest a write waits for the secondary, in milliseconds. A write that takes longer is
   * journaled (its rows are settled from the primary when the secondary answers again)
   * and opens the secondary's circuit: later writes are journaled at once, without
   * waiting, until a background probe sees it answer. A bulk write that carries more than
   * 5,000 values (rows times columns; a text or binary value counts once for each 200
   * characters or bytes, so 1 MB counts 5,000; a statement replayed as text, each row it
   * changed on the primary) waits this long for each 5,000, since its rows take
   * the secondary time in proportion (the reads of rows its foreign key actions changed, for
   * each 1,000 rows they look up). `0` waits without bound. Default `500`. Through a queue
   * mirror it bounds only the first read of the secondary's tables (see `queueMirror`).
   */
  secondaryTimeoutMs?: number;
  /** How often an open circuit probes the secondary (`SELECT 1`), in milliseconds. Default `500`. */
  probeIntervalMs?: number;
  /**
   * Rehearses every distinct statement shape the app sends on the other engine, without
   * changing its data, and reports which work there (see {@link SqlRehearsal}).
   */
  rehearse?: SqlRehearsal;
  /**
   * The fleet's control record (`controlTable(adapter)`, or any {@link ControlStore}): every
   * instance reads mode and epoch from it at start and at most `refreshMs` (default 1000)
   * later, and `switchPrimary()` switches every instance together. Without it the mode
   * lives in this instance alone.
   */
  control?: ControlStore | ControlOptions;
  /**
   * `translateSchema` from `@switchyard/copy`, for a SQLite or D1 primary with a Postgres
   * secondary: the app's `CREATE TABLE`, `CREATE INDEX` and `ALTER TABLE … ADD COLUMN` run
   * on the primary as written and reach the secondary as `translateSchema` translates the
   * table the primary then holds (`INTEGER PRIMARY KEY AUTOINCREMENT` an identity,
   * `DATETIME` a `timestamptz`, backquoted names quoted), the same tables a copy makes; other
   * definitions get their backquoted names double quoted, and a trigger is not made there. What it leaves out (a default
   * such as `randomblob(8)`, `CHECK` constraints) is named in the `statement-replay` event. Inside `transaction()`
   * too (Kysely's `Migrator`), and through a mirror (`secondaryWrites: 'async'`; pass it to
   * `drainOutbox` too, for a D1 entry its writer did not translate). The other way, from a
   * Postgres primary to a SQLite or D1 secondary after a switch, a `CREATE TABLE`, `CREATE
   * INDEX` or `ADD COLUMN` in Postgres's words reaches SQLite translated the same way.
   *
   * @example
   * ```ts
   * import { translateSchema } from '@switchyard/copy';
   * const db = createDualWriteAdapter(d1, postgres, { translateSchema });
   * await db.execute('CREATE TABLE `notes` (`id` integer PRIMARY KEY AUTOINCREMENT, `body` text)');
   * ```
   */
  translateSchema?: SchemaTranslator;
  /**
   * Tables written on the primary alone: writes and definitions of them replicate nothing,
   * and reads of them are neither routed nor shadowed. For what the source engine keeps for itself and has no
   * place on the other, such as Drizzle's `__drizzle_migrations` (declared `id SERIAL
   * PRIMARY KEY`, a key SQLite leaves NULL, which Postgres refuses), or a table the team
   * does not move. Pass the same names to `copyTables`' `exclude` and `validateDatabases`'
   * `excludeTables`. Names compare case-insensitively, without their schema.
   *
   * @example
   * ```ts
   * createDualWriteAdapter(d1, postgres, { translateSchema, excludeTables: ['__drizzle_migrations'] });
   * ```
   */
  excludeTables?: string[];
}

/** Options checked and defaulted. */
export interface ResolvedOptions {
  primaryIndex: 0 | 1;
  verifyWrites: boolean;
  continueOnSecondaryFailure: boolean;
  takePrimaryOnConflict: boolean;
  collectMetrics: boolean;
  secondaryPercent: number;
  shadowReads?: ShadowReadOptions;
  onEvent?: (event: DualWriteEvent) => void;
  secondaryWrites: 'sync' | 'async';
  /** Set in async mode. */
  mirror?: Mirror;
  secondaryTimeoutMs: number;
  probeIntervalMs: number;
  rehearse?: SqlRehearsal;
  translateSchema?: SchemaTranslator;
  /** `excludeTables`, lower case (see `excludedNames`). */
  excludeTables: ReadonlySet<string>;
  excludedReads?: RegExp;
}

/** Checks options against the two adapters; throws {@link InvalidArgumentError} with what to change. */
export function resolveOptions(a: DatabaseAdapter, b: DatabaseAdapter, options: DualWriteOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    primaryIndex: resolveMode(a, b, options.mode),
    verifyWrites: options.verifyWrites ?? false,
    continueOnSecondaryFailure: options.continueOnSecondaryFailure ?? false,
    takePrimaryOnConflict: options.takePrimaryOnConflict ?? true,
    collectMetrics: options.collectMetrics ?? true,
    secondaryPercent: options.readRouting?.secondaryPercent ?? 0,
    secondaryWrites: 'sync',
    secondaryTimeoutMs: milliseconds('secondaryTimeoutMs', options.secondaryTimeoutMs, 500),
    probeIntervalMs: milliseconds('probeIntervalMs', options.probeIntervalMs, 500),
    rehearse: options.rehearse,
    translateSchema: options.translateSchema,
    excludeTables: excludedNames(tableNames(options.excludeTables)),
  };
  resolved.excludedReads = excludedReads(resolved.excludeTables);
  const percent = resolved.secondaryPercent;
  if (typeof percent !== 'number' || !(percent >= 0 && percent <= 100)) {
    throw new InvalidArgumentError(`readRouting.secondaryPercent must be a number from 0 to 100, got ${String(percent)}.`);
  }
  if (options.shadowReads) {
    const rate = options.shadowReads.sampleRate;
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
      throw new InvalidArgumentError(`shadowReads.sampleRate is a share from 0 to 1 (0.05 for 5%), got ${String(rate)}.`);
    }
    resolved.shadowReads = options.shadowReads;
  }
  if (options.secondaryWrites === 'async') {
    if (!options.mirror) {
      throw new InvalidArgumentError(
        "secondaryWrites: 'async' needs a mirror: pass mirror: outboxMirror(primary) (an outbox table in the primary) " +
          "or mirror: queueMirror(env.QUEUE) (a Cloudflare Queue), both from '@switchyard/dual-write/mirror'.",
      );
    }
    resolved.secondaryWrites = 'async';
    resolved.mirror = options.mirror;
  } else if (options.secondaryWrites !== undefined && options.secondaryWrites !== 'sync') {
    throw new InvalidArgumentError(
      `secondaryWrites: ${JSON.stringify(options.secondaryWrites)} is not available; use 'sync' (the default) or 'async' with a mirror.`,
    );
  } else if (options.mirror) {
    throw new InvalidArgumentError(
      "mirror is used only with secondaryWrites: 'async': add secondaryWrites: 'async', or leave mirror out for synchronous dual writes.",
    );
  }
  if (options.onEvent) resolved.onEvent = options.onEvent;
  return resolved;
}

function resolveMode(a: DatabaseAdapter, b: DatabaseAdapter, mode: string | undefined): 0 | 1 {
  if (mode === undefined) return 0;
  const name = typeof mode === 'string' && mode.startsWith('primary-') ? mode.slice('primary-'.length) : undefined;
  if (name === a.name) return 0;
  if (name === b.name) return 1;
  throw new InvalidArgumentError(
    `mode ${JSON.stringify(mode)} names neither adapter. Use 'primary-${a.name}' or 'primary-${b.name}' ` +
      "(the adapters' name, set with their `name` option), or leave mode out to make the first adapter primary.",
  );
}

function milliseconds(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`${name} is a number of milliseconds (0 or more), got ${String(value)}.`);
  }
  return value === 0 && name === 'secondaryTimeoutMs' ? Number.POSITIVE_INFINITY : value;
}

function tableNames(tables: unknown): string[] | undefined {
  if (tables === undefined || (Array.isArray(tables) && tables.every((t) => typeof t === 'string' && t !== ''))) return tables;
  throw new InvalidArgumentError(
    `excludeTables must be a list of table names, such as ['__drizzle_migrations'], got ${JSON.stringify(tables)}.`,
  );
}
