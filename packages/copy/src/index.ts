export { copyTables } from './copy-tables';
export { CopyFailedError } from './copy-errors';
export { planBatch, type BatchPlan } from './batch-plan';
export type {
  CopyNotice,
  CopyPlan,
  CopyOptions,
  CopyProgress,
  CopyResult,
  OnConflict,
  TableCopyResult,
  TableCopyStatus,
} from './copy-options';
export { CHECKPOINT_TABLE } from './checkpoint-table';
export { translateSchema, type SchemaWarning, type TranslateSchemaOptions, type TranslatedSchema } from './translate-schema';
export { introspectSchemaObjects, type SchemaObjects } from './schema-objects';
export type { SchemaCollation } from './_internal/postgres-collations';
export { alignSequences, type AlignSequencesOptions, type AlignedSequence } from './align-sequences';
