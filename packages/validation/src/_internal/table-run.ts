import type { DatabaseAdapter, NormalizeOptions } from '@switchyard/core';
import type { DiffCollector } from './diff-collector';
import type { KeyCodec } from './key-codec';
import type { TablePlan } from './table-plan';

/** One table's validation in progress: both sides, the plan, and where differences go. */
export interface TableRun {
  plan: TablePlan;
  source: DatabaseAdapter;
  target: DatabaseAdapter;
  collector: DiffCollector;
  codec: KeyCodec;
  normalize: NormalizeOptions;
  pageSize: number;
  sourceCount: number;
  targetCount: number;
  /** Called after each page of rows. */
  progress(): void;
}
