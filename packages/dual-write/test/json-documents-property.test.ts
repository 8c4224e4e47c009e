import { validateDatabases } from '@switchyard/validation';
import { expect, it } from 'vitest';
import { drainOutbox, outboxMirror } from '../src/mirror/index';
import { chaosSeed, seededRandom, type Random } from './chaos-random';
import { createDualWriteAdapter } from './patient-dual-write';
import { usePostgresPair } from './postgres-kinds';
import { dropOwnTables } from './two-databases';

// Postgres -> Postgres, generated JSON documents (bare ones above all: the document null,
// numbers with a scale or an exponent, strings with escapes, spacing a json column keeps,
// and objects and arrays around them) written through dual write, synchronously and
// through an outbox: the secondary holds each document's text as the primary does, and
// validation of every row agrees. The seed is printed on failure (DW_CHAOS_SEED repeats it).

const pg = usePostgresPair(false);
const ROWS = 60;

const NUMBERS = ['0', '-0', '1.50', '-0.0', '1e2', '1E-7', '12345678901234567890.5', '9007199254740993', '0.1', '2.000'];
const STRINGS = ['"x"', '"null"', '"a\\"b"', '"\\u00e9\\n"', '""', '"1.50"', '"💡"'];
const SCALARS = ['null', 'true', 'false', ...NUMBERS, ...STRINGS];

function spaced(r: Random, text: string): string {
  const pad = () => r.pick(['', '', ' ', '  ', '\n']);
  return `${pad()}${text}${pad()}`;
}

/** A document's text: a bare one most of the time, else an object or array around some. */
function documentText(r: Random, depth = 0): string {
  const kind = depth > 1 ? 0 : r.int(4);
  if (kind < 2) return spaced(r, r.pick(SCALARS));
  const items = Array.from({ length: r.int(3) }, () => documentText(r, depth + 1));
  if (kind === 2) return `[${items.join(',')}]`;
  return `{${items.map((v, i) => `"${r.pick(['a', 'b', 'a'])}${i}":${v}`).join(', ')}}`;
}

/** A column's value: SQL NULL now and then, else a document's text. */
const valueOf = (r: Random) => (r.int(8) === 0 ? null : documentText(r));

const TABLE = 'DROP TABLE IF EXISTS pdocs; CREATE TABLE pdocs (id int PRIMARY KEY, j json, jb jsonb, n int NOT NULL DEFAULT 0)';
const READ = 'SELECT id, j IS NULL AS j_sql, j::text AS j, jb IS NULL AS jb_sql, jb::text AS jb, n FROM pdocs ORDER BY id';

async function writeDocuments(dual: { execute: (sql: string, params?: unknown[]) => Promise<unknown> }, r: Random): Promise<void> {
  for (let id = 1; id <= ROWS; id += 3) {
    const rows = [id, id + 1, id + 2].map((k) => [k, valueOf(r), valueOf(r)]);
    await dual.execute(`INSERT INTO pdocs (id, j, jb) VALUES ${rows.map(() => '(?, ?::json, ?::jsonb)').join(', ')}`, rows.flat());
  }
  for (let i = 0; i < ROWS / 2; i++) {
    const id = 1 + r.int(ROWS);
    if (r.int(2) === 0) await dual.execute('UPDATE pdocs SET j = ?::json, jb = ?::jsonb WHERE id = ?', [valueOf(r), valueOf(r), id]);
    else await dual.execute('UPDATE pdocs SET n = n + 1 WHERE id = ?', [id]);
  }
}

for (const mode of ['sync', 'outbox'] as const) {
  it(`generated documents reach the secondary as the primary holds them (${mode})`, async () => {
    const seed = chaosSeed();
    const r = seededRandom(seed);
    const why = `seed ${seed} (DW_CHAOS_SEED=${seed} repeats it)`;
    for (const side of [pg.primary, pg.secondary]) {
      await dropOwnTables(side);
      await side.execute(TABLE);
    }
    const mirror = mode === 'outbox' ? outboxMirror(pg.primary) : undefined;
    const dual = createDualWriteAdapter(pg.primary, pg.secondary, mirror ? { secondaryWrites: 'async', mirror } : { verifyWrites: true });
    await writeDocuments(dual, r);
    if (mirror) await drainOutbox(pg.secondary, { mirror });
    expect(dual.getMetrics().secondaryFailures, why).toBe(0);
    if (!mirror) expect(dual.getMetrics().verificationFailures, why).toBe(0);
    expect(await pg.secondary.query(READ), why).toEqual(await pg.primary.query(READ));
    const report = await validateDatabases(pg.primary, pg.secondary, { validateAllRows: true, tables: ['pdocs'] });
    expect(report.ok, why).toBe(true);
  });
}
