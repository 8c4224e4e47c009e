import { describe, expect, it } from 'vitest';
import { ddlTable, guessType, mergeTypes, readTable, writeTable } from '../src/_internal/column-types';

describe('column types for verification', () => {
  it('finds the table a statement writes or reads, quoted or with a schema', () => {
    expect(writeTable('INSERT INTO users (id) VALUES (?)')).toBe('users');
    expect(writeTable('insert or replace into "Users" ("id") values (?)')).toBe('Users');
    expect(writeTable('UPDATE public.orders SET n = 1')).toBe('orders');
    expect(writeTable('  delete from `items` where id = ?')).toBe('items');
    expect(writeTable('WITH x AS (SELECT 1) DELETE FROM t')).toBe('t');
    // Postgres's ONLY leaves out the tables that inherit the target.
    expect(writeTable('UPDATE ONLY items SET n = 1')).toBe('items');
    expect(writeTable('delete from only "Items" where id = ?')).toBe('Items');
    // A trace comment or a query file's name line before the statement.
    expect(writeTable("/* traceparent='00-ab' */ INSERT INTO users (id) VALUES (?)")).toBe('users');
    expect(writeTable('-- name: AddUser :one\n-- second line\nUPDATE users SET n = 1')).toBe('users');
    expect(writeTable('/* a */ WITH x AS (SELECT 1) DELETE FROM t')).toBe('t');
    expect(ddlTable('-- migrate\nALTER TABLE users ADD COLUMN note text')).toBe('users');
    expect(writeTable('/* INSERT INTO other */ SELECT 1')).toBeUndefined();
    // A list that writes rows itself has no one table.
    expect(writeTable('WITH d AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM d')).toBeUndefined();
    expect(readTable('select "a" from "public"."notes" where id = $1')).toBe('notes');
  });

  it('lets the more specific declaration win when the sides disagree', () => {
    expect(mergeTypes('integer', 'boolean')).toBe('boolean');
    expect(mergeTypes('text', 'timestamp')).toBe('timestamp');
    expect(mergeTypes('json', 'text')).toBe('json');
    expect(mergeTypes(undefined, 'real')).toBe('real');
  });

  it('guesses a type from the two values when no table declares the column', () => {
    expect(guessType(1, true)).toBe('boolean');
    expect(guessType('2024-01-01T00:00:00.000Z', new Date(0))).toBe('timestamp');
    expect(guessType('{"a":1}', { a: 1 })).toBe('json');
    expect(guessType(Buffer.from([1]), new Uint8Array([1]))).toBe('blob');
    expect(guessType(5, '5')).toBe('integer');
    expect(guessType(2n ** 60n, '1152921504606846976')).toBe('integer');
    expect(guessType(1.5, 1.5)).toBe('real');
    expect(guessType(1.5, '1.5')).toBe('numeric');
    expect(guessType('a', null)).toBe('text');
  });
});
