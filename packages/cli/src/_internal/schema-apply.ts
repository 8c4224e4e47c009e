import { isSwitchyardTable, type DatabaseAdapter, type DialectName, type TableInfo } from '@switchyard/core';

/** DDL for one engine, in its two phases, and what could not be translated. */
export interface TranslatedDdl {
  statements: string[];
  tables: string[];
  postData: string[];
  notes: string[];
}

/** Which statements: tables only (before the copy), post-data only (after it), or both. */
export type SchemaPhase = 'pre-data' | 'post-data' | 'all';

/** How the schema is translated: the source's other objects, and the case of names on Postgres. */
export interface TranslateFlags {
  identifierCase?: 'preserve' | 'lower' | undefined;
}

/** Translates the tables of `source` into DDL for `dialect`, through `translateSchema`, views, triggers and CHECKs included. */
export async function translate(
  source: DatabaseAdapter,
  tables: TableInfo[],
  dialect: DialectName,
  flags: TranslateFlags = {},
): Promise<TranslatedDdl> {
  const { translateSchema, introspectSchemaObjects } = await import('@switchyard/copy');
  const objects = await introspectSchemaObjects(source);
  const result = translateSchema(tables, dialect, {
    from: source.dialect,
    objects,
    ...(flags.identifierCase ? { identifierCase: flags.identifierCase } : {}),
  });
  return {
    statements: result.statements,
    tables: result.tables,
    postData: result.postData,
    notes: result.warnings.map(
      (w) => `${w.table}${w.column ? '.' + w.column : ''}: ${w.message}${w.sql ? `\n    ${w.sql.trim().replace(/\n/g, '\n    ')}` : ''}`,
    ),
  };
}

/** Options of {@link applyMissingSchema}. */
export interface ApplySchemaOptions extends TranslateFlags {
  tables?: string[] | undefined;
  /** Tables left out by name (Drizzle's `__drizzle_migrations`, say). */
  exclude?: string[] | undefined;
  dryRun?: boolean;
  /** Default `'all'`. */
  phase?: SchemaPhase;
}

/**
 * Creates in `target` what `phase` asks for: the tables of `source` it lacks (leaving
 * existing tables alone), and/or the post-data objects (indexes, foreign keys, CHECKs,
 * views) of every table, skipping those already there. Returns lines to print.
 */
export async function applyMissingSchema(
  source: DatabaseAdapter,
  target: DatabaseAdapter,
  options: ApplySchemaOptions = {},
): Promise<{ created: string[]; lines: string[] }> {
  const phase = options.phase ?? 'all';
  const fold = options.identifierCase === 'lower' && target.dialect === 'postgres';
  const key = (n: string) => (fold ? n.toLowerCase() : n);
  const existing = new Set((await target.introspect()).map((t) => key(t.name)));
  const all = (await source.introspect()).filter(
    (t) => !isSwitchyardTable(t.name) && (!options.tables || options.tables.includes(t.name)) && !options.exclude?.includes(t.name),
  );
  const lines: string[] = [];
  let created: string[] = [];
  if (phase !== 'post-data') {
    const wanted = all.filter((t) => !existing.has(key(t.name)));
    if (wanted.length === 0) {
      lines.push('Schema: every table already exists in <target>.');
    } else {
      const ddl = await translate(source, wanted, target.dialect, options);
      lines.push(...ddl.notes.map((n) => `Schema note: ${n}`));
      const statements = phase === 'all' ? ddl.statements : ddl.tables;
      if (!options.dryRun) for (const statement of statements) await target.execute(statement);
      created = wanted.map((t) => t.name);
      lines.push(
        `Schema: ${options.dryRun ? 'would create' : 'created'} ${created.join(', ')} in <target> (${statements.length} statements${phase === 'pre-data' ? ', tables only: apply --phase post-data after the copy' : ''}).`,
      );
      if (!options.dryRun) {
        // Generated keys must come out equal on both sides once dual writes begin.
        const { alignSequences } = await import('@switchyard/copy');
        for (const a of await alignSequences(source, target, { tables: created })) {
          lines.push(`Schema: ${a.table}.${a.column} will generate ids after ${a.value}, as in <source>.`);
        }
      }
    }
  }
  if (phase === 'post-data') {
    const ddl = await translate(source, all, target.dialect, options);
    let applied = 0;
    let present = 0;
    for (const statement of ddl.postData) {
      if (options.dryRun) continue;
      try {
        await target.execute(statement);
        applied++;
      } catch (error) {
        // Run again after a partial apply: what exists stays as it is.
        if (!/already exists/i.test(error instanceof Error ? error.message : String(error))) throw error;
        present++;
      }
    }
    lines.push(...ddl.notes.map((n) => `Schema note: ${n}`));
    lines.push(
      `Schema: post-data ${options.dryRun ? `would run ${ddl.postData.length}` : `ran ${applied}`} statement(s) (indexes, foreign keys, CHECKs, views)${present ? `; ${present} already there` : ''}.`,
    );
  }
  return { created, lines };
}
