import { JsonNumber, PreciseDate, jsonSourceOf, parseJsonKeepingSource } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { createOpId, nextSequence, opIdTime } from './op-id';
import { collectRowRefs, fromMessage, messageText, toMessage, type MirrorMessage } from './mirror-op';
import { rowRefsOf, type RowRef } from '../row-ref';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { pruneAppliedOps } from './applied-ops-prune';
import { applyOps } from './op-apply';

describe('operation ids and sequences', () => {
  it('sorts ids in creation order within one millisecond and keeps them unique', () => {
    const ids = Array.from({ length: 2000 }, () => createOpId(1_700_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(opIdTime(ids[0]!)).toBe(1_700_000_000_000);
  });

  it('keeps sequences strictly increasing even when the clock stands still or steps back', () => {
    const a = nextSequence(2_000_000_000_000);
    const b = nextSequence(2_000_000_000_000);
    const c = nextSequence(1_999_999_999_000);
    expect(b).toBeGreaterThan(a);
    expect(c).toBeGreaterThan(b);
    expect(Number.isSafeInteger(c)).toBe(true);
  });
});

describe('row references read from statements', () => {
  it('finds the keys of inserts, updates and deletes', () => {
    expect(rowRefsOf({ sql: 'INSERT INTO users (name, id) VALUES (?, ?), (?, 8)', params: ['a', 7, 'b'] })).toEqual([
      { table: 'users', key: { id: 7 } },
      { table: 'users', key: { id: 8 } },
    ]);
    expect(rowRefsOf({ sql: 'UPDATE "users" SET name = ? WHERE id = ? AND version = ?', params: ['x', 5n, 2] })).toEqual([
      { table: 'users', key: { id: '5' } },
    ]);
    expect(rowRefsOf({ sql: 'DELETE FROM main.users WHERE users.id = 3' })).toEqual([{ table: 'users', key: { id: 3 } }]);
    expect(
      rowRefsOf({ sql: 'UPDATE members SET role = ? WHERE team = ? AND member = ?', params: ['x', 1, 2] }, { members: ['team', 'member'] }),
    ).toEqual([{ table: 'members', key: { team: 1, member: 2 } }]);
    expect(rowRefsOf({ sql: 'UPDATE users SET name = ?1 WHERE id = ?2', params: ['x', 9] })).toEqual([{ table: 'users', key: { id: 9 } }]);
    expect(rowRefsOf({ sql: 'DELETE FROM [users] WHERE id = -4 -- why?\n' })).toEqual([{ table: 'users', key: { id: -4 } }]);
    expect(rowRefsOf({ sql: 'UPDATE t SET a = $1 WHERE id = $2', params: ['x', 'k'] })).toEqual([{ table: 't', key: { id: 'k' } }]);
    // Prisma wraps its filter in parentheses, with a trivial term.
    expect(rowRefsOf({ sql: 'UPDATE `main`.`users` SET `admin` = ? WHERE (`main`.`users`.`id` = ? AND 1=1)', params: [1, 'u1'] })).toEqual([
      { table: 'users', key: { id: 'u1' } },
    ]);
    expect(rowRefsOf({ sql: 'DELETE FROM "public"."t" WHERE (("public"."t"."id" = $1))', params: [3] })).toEqual([
      { table: 't', key: { id: 3 } },
    ]);
    // A list of keys names each row (Prisma's deleteMany, Drizzle's inArray).
    expect(rowRefsOf({ sql: 'DELETE FROM "public"."Post" WHERE "public"."Post"."id" IN ($1,$2)', params: ['a', 'b'] })).toEqual([
      { table: 'Post', key: { id: 'a' } },
      { table: 'Post', key: { id: 'b' } },
    ]);
    expect(rowRefsOf({ sql: 'UPDATE t SET x = 1 WHERE (id IN (?, 7) AND 1=1)', params: [1] })).toEqual([
      { table: 't', key: { id: 1 } },
      { table: 't', key: { id: 7 } },
    ]);
    // A bound array: each item names a row.
    expect(rowRefsOf({ sql: 'UPDATE t SET n = n + 1 WHERE id = ANY(?)', params: [[1, 2n]] })).toEqual([
      { table: 't', key: { id: 1 } },
      { table: 't', key: { id: '2' } },
    ]);
    expect(rowRefsOf({ sql: 'DELETE FROM t WHERE "id" = any($1::bigint[]) AND grp = $2', params: [[3], 'g'] })).toEqual([
      { table: 't', key: { id: 3 } },
    ]);
    expect(rowRefsOf({ sql: 'UPDATE t AS z SET a = 1 FROM u WHERE z.id = ? AND u.id = z.uid', params: [5] })).toEqual([
      { table: 't', key: { id: 5 } },
    ]);
  });

  it('gives up (no per-row order) when the rows cannot be read from the text', () => {
    expect(rowRefsOf({ sql: 'UPDATE users SET name = ? WHERE status = ?', params: ['x', 'old'] })).toBeUndefined();
    expect(rowRefsOf({ sql: 'DELETE FROM users WHERE id = ? OR id = ?', params: [1, 2] })).toBeUndefined();
    expect(rowRefsOf({ sql: 'INSERT INTO users (id) SELECT id FROM old_users' })).toBeUndefined();
    expect(rowRefsOf({ sql: 'UPDATE users SET n = n + 1' })).toBeUndefined();
    // Another table's id is not the target's: the row updated is the one whose id is u.tid.
    expect(rowRefsOf({ sql: 'UPDATE t SET x = 1 FROM u WHERE u.id = ? AND t.id = u.tid', params: [5] })).toBeUndefined();
    expect(rowRefsOf({ sql: 'DELETE FROM t WHERE (id = ?) OR (id = ?)', params: [1, 2] })).toBeUndefined();
    // An empty list, items that are no keys, or an array built in the statement.
    for (const params of [[[]], [[{ a: 1 }]], ['1']]) expect(rowRefsOf({ sql: 'DELETE FROM t WHERE id = ANY(?)', params })).toBeUndefined();
    expect(rowRefsOf({ sql: 'DELETE FROM t WHERE id = ANY(? || ARRAY[1])', params: [[2]] })).toBeUndefined();
    expect(rowRefsOf({ sql: 'DELETE FROM t WHERE id = ANY(SELECT id FROM u)' })).toBeUndefined();
    for (const sql of [
      'DELETE FROM t WHERE id NOT IN (?, ?)',
      'DELETE FROM t WHERE id IN (SELECT id FROM u)',
      'DELETE FROM t WHERE id IN (? + 1, ?)',
      'DELETE FROM t WHERE id IN (?, ?) OR x = 1',
      'DELETE FROM t WHERE u.id IN (?, ?)',
    ])
      expect(rowRefsOf({ sql, params: [1, 2] }), sql).toBeUndefined();
    // Only a one-column key is named by a list.
    expect(rowRefsOf({ sql: 'DELETE FROM m WHERE team IN (?, ?)', params: [1, 2] }, { m: ['team', 'member'] })).toBeUndefined();
    expect(rowRefsOf({ sql: 'DELETE FROM t WHERE (id = ? AND 1=1) AND x = 2', params: [1] })).toBeUndefined();
  });

  it('collects the rows of a whole write once each', () => {
    const rows = collectRowRefs([
      { sql: 'INSERT INTO t (id) VALUES (?)', params: [1] },
      { sql: 'UPDATE t SET v = ? WHERE id = ?', params: ['x', 1] },
    ]);
    expect(rows).toEqual([{ table: 't', key: { id: 1 } }]);
  });
});

describe('the wire form of an operation', () => {
  it('keeps bigints, dates, bytes and JSON values through JSON', () => {
    const op = {
      opId: createOpId(),
      seq: nextSequence(),
      createdAt: Date.now(),
      statements: [
        {
          sql: 'INSERT INTO t (id, big, at, bytes, doc, flag, nothing) VALUES (?, ?, ?, ?, ?, ?, ?)',
          params: [1, 2n ** 62n, new Date('2026-01-02T03:04:05.678Z'), new Uint8Array([0, 255, 16]), { a: [1, 'b'] }, true, null],
        },
      ],
      rows: [{ table: 't', key: { id: 1 } }],
    };
    const back = fromMessage(JSON.parse(JSON.stringify(toMessage(op))));
    expect(back).toEqual(op);
  });

  it('writes the message text JSON.stringify would, character for character', () => {
    const params = [
      1,
      -0,
      NaN,
      Infinity,
      0.1,
      2n ** 64n,
      new Date('2026-01-02T03:04:05.678Z'),
      new Uint8Array([0, 255]),
      { a: [1, 'b', null], '"k"': '\u2028' },
      [1, [2]],
      parseJsonKeepingSource('{"id":9007199254740993}'),
      true,
      null,
      '"quoted" \\ ünïcode \u0000 \ud800',
    ];
    const sqls = ['INSERT INTO "t" VALUES (?)', "UPDATE t SET a = '\"\\' -- ünïcode\n WHERE id = ?"];
    const captured = [{ table: 't', deleted: false, columns: ['id', 'n'], values: [[1, { $number: '-0' }]] }];
    const cases: [RowRef[] | undefined, boolean][] = [
      [undefined, false],
      [[{ table: 't"', key: { id: 1, k: 'x' } }], false],
      [undefined, true],
      [[{ table: 't', key: { id: 1 } }], true],
    ];
    for (const [rows, withCaptured] of cases) {
      for (const seq of [0, 5, NaN]) {
        const op = {
          opId: createOpId(),
          seq,
          createdAt: Date.now(),
          statements: sqls.map((sql) => ({ sql, params })),
          ...(rows ? { rows } : {}),
          ...(withCaptured ? { captured } : {}),
        };
        // Twice: the second time the SQL's JSON text comes from the cache.
        expect(messageText(op)).toBe(JSON.stringify(toMessage(op)));
        expect(messageText(op)).toBe(JSON.stringify(toMessage(op)));
      }
    }
    const none = { opId: 'x', seq: 1, createdAt: 2, statements: [] };
    expect(messageText(none)).toBe(JSON.stringify(toMessage(none)));
    expect(() => messageText({ ...none, statements: [{ sql: 'SELECT ?', params: [undefined] }] })).toThrow('Parameter 1 is undefined');
  });

  it('keeps JSON documents read with their exact text exact (JsonNumber, big numbers in objects)', () => {
    const params = [parseJsonKeepingSource('12345678901234567890.5'), parseJsonKeepingSource('{"id":9007199254740993}')];
    const op = {
      opId: createOpId(),
      seq: nextSequence(),
      createdAt: Date.now(),
      statements: [{ sql: 'INSERT INTO t (a, b) VALUES (?, ?)', params }],
    };
    const back = fromMessage(JSON.parse(JSON.stringify(toMessage(op)))).statements[0]!.params!;
    expect(back[0]).toBeInstanceOf(JsonNumber);
    expect(String(back[0])).toBe('12345678901234567890.5');
    expect(jsonSourceOf(back[1])).toBe('{"id":9007199254740993}');
  });

  it('reads version 1 messages, as outbox rows and queued messages from an earlier release hold them', () => {
    const v1 = JSON.parse(
      '{"v":1,"opId":"op-1","seq":3,"createdAt":5,"rows":[{"table":"t","key":{"id":1}}],"statements":[{"sql":"INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?)",' +
        '"params":[["v",1],["i","9223372036854775807"],["d","2026-01-02T03:04:05.678Z"],["b","00ff10"],["j",{"a":[1,"b"]}],["s","9007199254740993"],["v",null],["j","NaN"]]}]}',
    ) as unknown;
    const op = fromMessage(v1);
    expect(op).toMatchObject({ opId: 'op-1', seq: 3, createdAt: 5, rows: [{ table: 't', key: { id: 1 } }] });
    const params = op.statements[0]!.params!;
    expect(params.slice(0, 5)).toEqual([
      1,
      9223372036854775807n,
      new Date('2026-01-02T03:04:05.678Z'),
      new Uint8Array([0, 255, 16]),
      { a: [1, 'b'] },
    ]);
    expect(params[5]).toBeInstanceOf(JsonNumber);
    expect(params.slice(6)).toEqual([null, 'NaN']);
  });

  it('writes version 2 with stored values, NaN and microseconds included', () => {
    const op = {
      opId: 'x',
      seq: 1,
      createdAt: 0,
      statements: [{ sql: 'SELECT ?, ?', params: [NaN, PreciseDate.fromEpochMicros(1_000_001n)] }],
    };
    const message = JSON.parse(JSON.stringify(toMessage(op))) as MirrorMessage;
    expect(message.v).toBe(2);
    expect(message.statements[0]!.params).toEqual([{ $number: 'NaN' }, { $time: '1970-01-01T00:00:01.000001Z' }]);
    const back = fromMessage(message).statements[0]!.params!;
    expect(back[0]).toBeNaN();
    expect((back[1] as PreciseDate).toPreciseISOString()).toBe('1970-01-01T00:00:01.000001Z');
  });

  it('rejects a body that is not a mirror message, saying what it expected', () => {
    expect(() => fromMessage({ hello: 'world' })).toThrow(/not a Switchyard mirror message/);
  });

  it('refuses undefined parameters, naming their position', () => {
    expect(() =>
      toMessage({ opId: 'x', seq: 1, createdAt: 0, rows: [], statements: [{ sql: 'SELECT ?, ?', params: [1, undefined] }] }),
    ).toThrow(/Parameter 2 is undefined/);
  });
});

describe('pruning applied ids', () => {
  it('removes ids older than the window and keeps recent ones', async () => {
    const db = createSQLiteAdapter(':memory:');
    await db.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    const op = { opId: createOpId(), seq: 1, createdAt: 0, statements: [{ sql: 'INSERT INTO t (id) VALUES (1)' }] };
    await applyOps(db, [op]);
    expect(await pruneAppliedOps(db, { olderThanMs: 60_000 })).toBe(0);
    await db.execute('UPDATE _switchyard_applied_ops SET applied_at = applied_at - 120000');
    expect(await pruneAppliedOps(db, { olderThanMs: 60_000 })).toBe(1);
    // The row's version still marks the operation as already applied.
    expect(await applyOps(db, [op])).toEqual([{ opId: op.opId, outcome: 'stale' }]);
    await expect(pruneAppliedOps(db, { olderThanMs: Number.NaN })).rejects.toThrow(/olderThanMs/);
    await db.close();
  });
});
