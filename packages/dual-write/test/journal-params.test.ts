import { JsonNumber, PreciseDate, jsonSourceOf, parseJsonKeepingSource } from '@switchyard/core';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { describe, expect, it } from 'vitest';
import { decodeJournalParams, encodeJournalParams } from '../src/_internal/journal-params';
import { tableJournal } from '../src/index';

describe('journal parameter codec', () => {
  it('round-trips the values JSON alone would lose', () => {
    const params = [
      null,
      'text',
      42,
      1.5,
      true,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      2n ** 63n - 1n,
      new Date('2024-01-02T03:04:05.678Z'),
      new Uint8Array([0, 1, 254, 255]),
      { nested: [1, 'two', { three: 3 }] },
      ['a', 'b'],
      undefined,
      PreciseDate.fromEpochMicros(1_704_103_200_123_456n),
    ];
    const back = decodeJournalParams(encodeJournalParams(params));
    expect(back).toEqual(params);
    expect(back[5]).toBeNaN();
    expect(back[8]).toBe(2n ** 63n - 1n);
    expect(back[9]).toBeInstanceOf(Date);
    expect(back[10]).toBeInstanceOf(Uint8Array);
    expect((back[14] as PreciseDate).toPreciseISOString()).toBe('2024-01-01T10:00:00.123456Z');
    expect(back).toHaveLength(params.length);
  });

  it('keeps JSON documents read with their exact text exact (JsonNumber, big numbers in objects)', () => {
    const params = [parseJsonKeepingSource('9007199254740993'), parseJsonKeepingSource('{"id":12345678901234567890.5}')];
    const back = decodeJournalParams(encodeJournalParams(params));
    expect(back[0]).toBeInstanceOf(JsonNumber);
    expect(String(back[0])).toBe('9007199254740993');
    expect(jsonSourceOf(back[1])).toBe('{"id":12345678901234567890.5}');
  });

  it('reads entries an earlier release stored in the journal table', async () => {
    const db = createSQLiteAdapter(':memory:');
    const journal = tableJournal(db, { table: 'old_journal' });
    await journal.entries(); // creates the table
    const oldParams = JSON.stringify([
      { t: 'v', v: 'text' },
      { t: 'b', v: '9223372036854775807' },
      { t: 'd', v: '2024-01-02T03:04:05.678Z' },
      { t: 'x', v: '00ff' },
      { t: 'n', v: 'NaN' },
      { t: 'j', v: '9007199254740993' },
      { t: 'v', v: { a: [1, 2] } },
      { t: 'u' },
    ]);
    const oldStatements = JSON.stringify([
      {
        sql: 'UPDATE t SET n = ? WHERE id = ?',
        params: JSON.stringify([
          { t: 'b', v: '5' },
          { t: 'v', v: 1 },
        ]),
      },
    ]);
    await db.execute('INSERT INTO old_journal (target, sql_text, params, statements, error, at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      'secondary',
      'INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      oldParams,
      oldStatements,
      'down',
      '2024-01-02T03:04:05.678Z',
      1,
    ]);
    const [entry] = await journal.entries();
    expect(entry!.params.slice(0, 5)).toEqual([
      'text',
      9223372036854775807n,
      new Date('2024-01-02T03:04:05.678Z'),
      new Uint8Array([0, 255]),
      NaN,
    ]);
    expect(String(entry!.params[5])).toBe('9007199254740993');
    expect(entry!.params.slice(6)).toEqual([{ a: [1, 2] }, undefined]);
    expect(entry!.statements).toEqual([{ sql: 'UPDATE t SET n = ? WHERE id = ?', params: [5n, 1] }]);

    await journal.append({ ...entry!, params: [PreciseDate.fromEpochMicros(1_000_001n)], statements: [{ sql: 'SELECT ?', params: [7n] }] });
    const [, fresh] = await journal.entries();
    expect((fresh!.params[0] as PreciseDate).toPreciseISOString()).toBe('1970-01-01T00:00:01.000001Z');
    expect(fresh!.statements).toEqual([{ sql: 'SELECT ?', params: [7n] }]);
    await db.close();
  });

  it('keeps the sessions to fence with statements, with one statement and with rows, and their parameters exact', async () => {
    const journal = tableJournal(createSQLiteAdapter(':memory:'));
    const fence = [{ pid: 4242, at: 1_765_000_000_000 }];
    const base = { target: 'b', params: [], error: 'down', at: new Date('2024-01-02T03:04:05.678Z'), attempts: 1 };
    const statements = [{ sql: 'UPDATE t SET n = ? WHERE id = ?', params: [9007199254740993n, 1] }];
    await journal.append({ ...base, sql: 'batch', statements, fence });
    await journal.append({ ...base, sql: 'DELETE FROM t', fence });
    await journal.append({ ...base, sql: 'UPDATE t', rows: [{ table: 't', key: { id: 1 } }], fence });
    await journal.append({ ...base, sql: 'batch', statements });
    const entries = await journal.entries();
    expect(entries.map((e) => e.fence)).toEqual([fence, fence, fence, undefined]);
    expect(entries[0]!.statements).toEqual(statements);
    expect(entries[3]!.statements).toEqual(statements);
    expect(entries[1]!.statements).toBeUndefined();
    expect(entries[2]!.rows).toEqual([{ table: 't', key: { id: 1 } }]);
  });
});
