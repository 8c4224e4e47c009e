import type { Row, Statement } from '@switchyard/core';
import type { ResolvedOptions } from '../dual-write-options';
import type { RowRef } from '../row-ref';
import type { EventHub } from './event-hub';
import type { JournalBook } from './journal-book';
import type { MetricsCollector } from './metrics-collector';
import type { DependentLocks } from './dependent-locks';
import type { LockClaims, RowLocks } from './row-locks';
import type { RowImage, TablePair } from './row-images';
import type { RowSettler } from './row-settle';
import type { SecondaryApplier } from './secondary-applier';
import type { SecondaryCircuit } from './secondary-circuit';
import type { SecondaryTriggerWatch } from './secondary-triggers';
import type { TableCatalog } from './table-catalog';
import type { CapturePlan } from './write-capture';
import type { Translation } from './translated-definitions';

/** One statement of a write as it replicates: captured as row images, or replayed as text. */
export type Step =
  | { kind: 'capture'; plan: CapturePlan }
  /** `moves`: an UPDATE of a key run with `RETURNING *` on the primary, of this table (see `withKeyMoves`). */
  | {
      kind: 'replay';
      primary: Statement;
      secondary: SideStatement;
      reason: string;
      moves?: string;
      movesKey?: readonly string[];
      /** The moved rows' columns under private aliases, after the app's own `RETURNING` columns (see `capturingSql`). */
      movesAliased?: readonly string[];
    };

/** An `UPDATE` of a key replayed as its statement, with the rows it left on the primary. */
export interface KeyMove {
  /** The primary's name of the table. */
  table: string;
  /** The rows as the primary left them (`RETURNING *`). */
  rows: Row[];
  /** The statement as the secondary replays it. */
  statement: Statement;
  /** The moved rows' new keys: a journaled move settles them after its statement is replayed. */
  refs: RowRef[];
}

/** What the replicator reads and updates: the adapter's own parts. */
export interface ReplicatorParts {
  book: JournalBook;
  metrics: MetricsCollector;
  events: EventHub;
  catalog: TableCatalog;
  locks: RowLocks;
  applier: SecondaryApplier;
  circuit: SecondaryCircuit;
  settler: RowSettler;
  /** Reports the secondary's tables whose triggers fire on replicated rows. */
  triggers: SecondaryTriggerWatch;
  options: ResolvedOptions;
  /** Remembers a statement shape replicated as text, for metadata and a one-time event. */
  noteReplay: (sql: string, reason: string) => void;
  /** Asks for a journal replay soon (a write abandoned by its timeout landed after all). */
  replaySoon: () => void;
}

/**
 * A statement as the secondary runs it, with why it runs nothing there when it does not
 * (a Postgres statement with nothing to act on in SQLite or D1: `NOTHING_ON_SQLITE`).
 */
export interface SideStatement extends Statement {
  readonly idle?: string;
  /** Run on the secondary as translated from what the primary made (see `markTranslations`). */
  readonly translation?: Translation;
}

/** What a dual-write transaction recorded on the primary: rows it wrote, and statements it could not capture. */
export interface TransactionRecord {
  refs: RowRef[];
  /** The rows as each captured statement left them, in order. */
  images: RowImage[];
  replays: Statement[];
  /** Every write as the secondary would run it, for an asynchronous mirror. */
  statements: Statement[];
  /** Statements captured as row images. */
  captured: number;
  /** Key moves among `replays` (see `withKeyMoves`). */
  moves?: KeyMove[];
  /** Rows the primary's replayed statements changed (see `SecondaryWork.replayedRows`). */
  replayedRows?: number;
  /** Rows SQLite's REPLACE deleted and wrote again (see `SecondaryWork.replaced`). */
  replaced?: RowRef[];
  /**
   * Statements the secondary runs after the rows: the validation of foreign keys that
   * translated definitions add (a rebuilt table's rows, which they check, come after `replays`).
   */
  afterRows?: Statement[];
  /** `replays` before their definitions were translated (see `finishRecord`): what `generatesOnAlter` reads. */
  untranslated?: Statement[];
  /** Releases the mark of `refs` as committing (see `CommittingRows`), once the settle holds their locks. */
  committing?: () => void;
}

/** What the secondary must receive for one write. */
export interface SecondaryWork {
  label: string;
  /** Statements the secondary runs, in order: image upserts/deletes and replayed statements. */
  statements: Statement[];
  images: RowImage[];
  replays: Statement[];
  /** The tables' definitions `statements` were built with from `images`, when they were. */
  pairs?: (table: string) => TablePair;
  /** The image upserts return the secondary's rows (`RETURNING *`), for `verifyWrites`. */
  returning?: boolean;
  /**
   * Rows the primary's runs of `replays` changed: the secondary's runs change as many, which
   * a bulk write's time allowance counts (an `UPDATE` of every row of a keyless table names none).
   */
  replayedRows?: number;
  /** Key moves among `replays`, whose referencing rows follow them (see `addMovedDependents`). */
  moves?: KeyMove[];
  /** Statements run after the rows (see `TransactionRecord.afterRows`): journaled after them when they fail. */
  afterRows?: Statement[];
  /**
   * Keys of rows SQLite's REPLACE deleted and wrote again (`ParsedWrite.deletesExisting`),
   * as deleted images: the delete ran its foreign keys' actions on the rows referencing them.
   */
  replaced?: RowImage[];
  /** The locks the write holds, on the synchronous path: the rows its foreign key actions change are locked too. */
  claims?: LockClaims;
  /** The locks taken on those rows, and the rows another write held (see `DependentLocks`). */
  held?: DependentLocks;
}
