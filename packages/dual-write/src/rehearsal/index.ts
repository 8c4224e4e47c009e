export { SqlRehearsal, type SqlRehearsalOptions } from './sql-rehearsal';
export { rehearsingAdapter } from './rehearsing-adapter';
export { formatRehearsalReport, type RehearsalOutcome, type RehearsalReport, type RehearsedShape } from './rehearsal-report';
export { statementShape } from './statement-shape';
export {
  SQLITE_TO_POSTGRES,
  translateSqliteToPostgres,
  type Translation,
  type TranslationRule,
  type UntranslatedForm,
} from './sqlite-postgres-translate';
