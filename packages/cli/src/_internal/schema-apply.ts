import { isSwitchyardTable, type DatabaseAdapter, type DialectName, type TableInfo } from '@switchyard/core';

/** DDL for one engine, and what could not be translated. */
export interface TranslatedDdl {
  statements: string[];
  notes: string[];
}

/** Translates introspected tables into DDL for `dialect`, through `translateSchema`. */
export async function translate(tables: TableInfo[], dialect: DialectName, from: DialectName): Promise<TranslatedDdl> {
  const { translateSchema } = await import('@switchyard/copy');
  const result = translateSchema(tables, dialect, { from });
  return { statements: [...result.statements], notes: result.warnings.map((w) => `${w.table}${w.column ? '.' + w.column : ''}: ${w.message}`) };
}

/** Options of {@link applyMissingSchema}. */
export interface ApplySchemaOptions {
  tables?: string[] | undefined;
  dryRun?: boolean;
}

/**
 * Creates in `target` the tables of `source` it lacks (with their indexes and foreign
 * keys), leaving existing tables alone. Returns lines to print.
 */
export async function applyMissingSchema(source: DatabaseAdapter, target: DatabaseAdapter, options: ApplySchemaOptions = {}): Promise<{ created: string[]; lines: string[] }> {
  const existing = new Set((await target.introspect()).map((t) => t.name));
  const wanted = (await source.introspect()).filter(
    (t) => !isSwitchyardTable(t.name) && !existing.has(t.name) && (!options.tables || options.tables.includes(t.name)),
  );
  if (wanted.length === 0) return { created: [], lines: ['Schema: every table already exists in <target>.'] };
  const ddl = await translate(wanted, target.dialect, source.dialect);
  const lines = ddl.notes.map((n) => `Schema note: ${n}`);
  const names = wanted.map((t) => t.name);
  if (!options.dryRun) {
    for (const statement of ddl.statements) await target.execute(statement);
  }
  lines.push(`Schema: ${options.dryRun ? 'would create' : 'created'} ${names.join(', ')} in <target> (${ddl.statements.length} statements).`);
  if (!options.dryRun) {
    // Generated keys must come out equal on both sides once dual writes begin.
    const { alignSequences } = await import('@switchyard/copy');
    for (const a of await alignSequences(source, target, { tables: names })) {
      lines.push(`Schema: ${a.table}.${a.column} will generate ids after ${a.value}, as in <source>.`);
    }
  }
  return { created: names, lines };
}
