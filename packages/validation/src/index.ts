export { validateDatabases } from './validate-databases';
export { quickValidate } from './quick-validate';
export { repair, type RepairMismatch, type RepairOptions, type RepairResult, type TableRepair } from './repair-target';
export { formatSummary } from './report-summary';
export { ValidationError } from './validation-errors';
export type {
  ColumnDifference,
  QuickValidateOptions,
  RowDifference,
  RowKey,
  SchemaDifference,
  TableReport,
  TableStatus,
  ValidateOptions,
  ValidationMethod,
  ValidationProgress,
  ValidationReport,
} from './validation-types';
