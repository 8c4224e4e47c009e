export type {
  AbandonedSession,
  AdapterCapabilities,
  ColumnInfo,
  ConflictClause,
  DatabaseAdapter,
  DialectName,
  ExecResult,
  ForeignKeyInfo,
  IndexInfo,
  LogicalType,
  PreparedStatement,
  RawRows,
  Row,
  Statement,
  StatementResult,
  TableInfo,
  AccessMode,
  IsolationLevel,
  StreamOptions,
  TransactionSettings,
} from './types';
export {
  nativeHandle,
  type NativeHandle,
  type NativeKind,
  type PgNativeClient,
  type SqliteNativeAggregate,
  type SqliteNativeDatabase,
  type SqliteNativeStatement,
  type SqliteExecuteRaw,
  type SqliteTransactionSync,
} from './native-handle';
export { checkTransactionSettings, hasTransactionSettings, nestedSettingsError } from './transaction-settings';
export {
  AdapterClosedError,
  ConnectionError,
  ConstraintError,
  InvalidArgumentError,
  LimitExceededError,
  ParameterError,
  QueryError,
  SwitchyardError,
  TimeoutError,
  TransientError,
  UnsupportedError,
  isTransientError,
  type SwitchyardErrorCode,
  type SwitchyardErrorOptions,
} from './errors';
export { DEFAULT_CAPABILITIES, weakerCapabilities } from './capabilities';
export { BaseAdapter, type BaseAdapterOptions, type EncodedStatement, type RawResult } from './adapter-base';
export { createPreparedStatement } from './prepared-statement';
export { queryRawRows, rowsToRawRows } from './raw-rows';
export { AdapterDialect, createAdapterKysely, type CompiledQueryExecutor } from './kysely-dialect';
export {
  escapeQuestionMarks,
  scanPlaceholders,
  toAnonymousPlaceholders,
  toPostgresPlaceholders,
  type PlaceholderScan,
} from './placeholders';
export { quoteIdentifier, quoteLiteral } from './sql-identifier';
export { keysetPages } from './keyset-pages';
export { SqlTokenizer, type SqlTokenKind, type SqlTokenizerOptions } from './sql-tokenizer';
export { D1_MAX_VALUE_BYTES, PostgresArray, encodeParams, encodeValue } from './param-encode';
export {
  decodeStoredValue,
  decodeStoredValues,
  encodeStoredValue,
  encodeStoredValues,
  fromStoredValue,
  toStoredValue,
  type StoredValue,
} from './stored-value-codec';
export { PreciseDate, epochMicros, exactTimestampText, inFourDigitYears, postgresTimestampText } from './precise-date';
export {
  JSON_NULL,
  JSON_SOURCE,
  JsonNumber,
  asJsonText,
  canonicalJsonText,
  canonicalNumberText,
  exactJsonText,
  jsonSourceOf,
  jsonTextMayRound,
  parseJsonKeepingSource,
  parseJsonWithText,
} from './json-exact';
export { isBareJsonDocument, jsonTextItem, jsonTextItems, markJsonTexts } from './json-text-reads';
export { redactSecrets, registerSecret } from './secret-redact';
export { findInvalidText, type InvalidTextCell } from './raw-text-read';
export { isZonelessTimestamp, jsonArrayKind, jsonDocumentKind, logicalTypeOf, storedTypeOf } from './logical-type';
export { comparesStorageClass, storageClassOf, type StorageClass } from './storage-class';
export {
  canonicalEqual,
  formatCanonical,
  isWellFormedText,
  normalizeRow,
  parseTimestampText,
  timeWordOf,
  TIME_WORDS,
  normalizeValue,
  stableStringify,
  toHex,
  valuesEqual,
  type CanonicalValue,
  type NormalizeOptions,
} from './value-normalize';
export { isWriteStatement, selectInto, statementKind, withoutLeadingComments, type SelectInto, type StatementKind } from './statement-kind';
export { introspectSqlite, INTERNAL_TABLE } from './sqlite-introspector';
export { onlyIfInherited, qualifiedTableName, readTableName } from './table-info';
export { listTableNames } from './table-names';
export { SWITCHYARD_TABLE_PREFIX, isSwitchyardTable } from './switchyard-tables';
export { checkHealth, type HealthCheckOptions, type HealthReport } from './health-check';
export { checkStatementLimits, type LimitSubject } from './statement-limits';
export {
  advanceKeyGenerators,
  readKeyGenerators,
  type AdvancedGenerator,
  type KeyGenerator,
  type KeyGeneratorKind,
  type KeyGeneratorOptions,
} from './key-generators';
export { converterFor, isArrayColumn, isTimestampArray, listFromJsonText, postgresArrayItemsFor, type Converter } from './value-convert';
export { holdTimeWord, UnholdableValue } from './unholdable-value';
export { storesTextAsNumbers } from './sqlite-number-text';
export { bytesToText, toBytes } from './blob-convert';
export { numericScaleOf } from './numeric-scale';
export { timestampPrecisionOf } from './timestamp-convert';
export { isBlankPadded, withoutPadding } from './blank-padded';
export { isPossiblyRoundedInteger, mayHoldRoundedIntegers } from './d1-rounded-integers';
export { arrayFromLiteral, parsePgArray, postgresArrayList, timestampArrayItems } from './pg-array-literal';
export { arrayLiteralOf, jsonArrayElementTexts, jsonArrayItems, keepArrayLiteral } from './pg-array-source';
export {
  asD1Database,
  type D1DatabaseFacade,
  type D1FacadeMeta,
  type D1FacadeResult,
  type D1FacadeSession,
  type D1FacadeStatement,
} from './d1-facade';
