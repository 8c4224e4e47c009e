/**
 * Something in the source schema that has no exact equivalent in the target.
 *
 * @example
 * ```ts
 * for (const w of translateSchema(tables, 'sqlite').untranslated) console.warn(w.table, w.kind, w.message);
 * ```
 */
export interface SchemaWarning {
  table: string;
  column?: string;
  /** What was affected: a column type (approximated), a default, index, foreign key, CHECK, view, trigger, function, rule or identity (left out), a name, the table order, a Postgres table's partitions (made one table), the tables that inherit it (made tables of their own), a column's collation (none of that name on the target), or a SQLite constraint's `ON CONFLICT` clause (none on Postgres). */
  kind:
    | 'type'
    | 'default'
    | 'index'
    | 'foreignKey'
    | 'order'
    | 'check'
    | 'view'
    | 'trigger'
    | 'function'
    | 'rule'
    | 'identity'
    | 'identifier'
    | 'generated'
    | 'partition'
    | 'inheritance'
    | 'collation'
    | 'conflict';
  /** `true` when the item is missing from the statements (not merely approximated). */
  untranslated: boolean;
  message: string;
  /** The source SQL of an untranslated object, to port by hand. */
  sql?: string;
}
