import { describe, expect, it } from 'vitest';
import { NOTHING_ON_SQLITE, sqliteCounterpart, sqliteDefinitionForm } from './engine-counterparts';

describe('sqliteCounterpart', () => {
  it.each([
    'REFRESH MATERIALIZED VIEW CONCURRENTLY totals',
    "-- nightly\nCOMMENT ON COLUMN t.a IS 'x'",
    'grant select, insert on all tables in schema public to app',
    'REVOKE ALL ON t FROM PUBLIC',
    "SECURITY LABEL FOR selinux ON TABLE t IS 'x'",
    'CREATE EXTENSION IF NOT EXISTS pgcrypto',
    'DROP EXTENSION pgcrypto',
    'ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO app',
    'CREATE POLICY mine ON t USING (owner = current_user)',
    'ALTER TABLE public.t OWNER TO app',
    'ALTER MATERIALIZED VIEW totals OWNER TO CURRENT_USER;',
    'ALTER TABLE t FORCE ROW LEVEL SECURITY',
    'ALTER TABLE t NO FORCE ROW LEVEL SECURITY',
  ])('%s: nothing to run', (sql) => {
    expect(sqliteCounterpart({ sql }).idle).toBe(NOTHING_ON_SQLITE);
  });

  it.each([
    'ALTER TABLE t OWNER TO app, ADD COLUMN b int',
    'ALTER TABLE t ADD COLUMN owner_to text',
    'ALTER TABLE t RENAME COLUMN a TO b',
    'CREATE TABLE comment_on (id int)',
    'INSERT INTO grants (id) VALUES (1)',
    'DROP TABLE t',
    'REFRESHED',
  ])('%s: run as written', (sql) => {
    const statement = { sql, params: [] };
    expect(sqliteCounterpart(statement)).toBe(statement);
  });
});

describe('sqliteDefinitionForm', () => {
  it.each([
    ['CREATE INDEX CONCURRENTLY i ON t (a)', 'CREATE INDEX i ON t (a)'],
    ['create unique index concurrently if not exists i on t using btree (a, b)', 'create unique index if not exists i on t (a, b)'],
    ['DROP INDEX CONCURRENTLY IF EXISTS i', 'DROP INDEX IF EXISTS i'],
    ['CREATE INDEX i ON t USING gin (a)', 'CREATE INDEX i ON t USING gin (a)'],
    ['CREATE MATERIALIZED VIEW v AS SELECT a FROM t WITH DATA;', 'CREATE VIEW v AS SELECT a FROM t'],
    ['CREATE MATERIALIZED VIEW IF NOT EXISTS v AS SELECT 1', 'CREATE VIEW IF NOT EXISTS v AS SELECT 1'],
    ['DROP MATERIALIZED VIEW IF EXISTS v', 'DROP VIEW IF EXISTS v'],
    ['CREATE VIEW v AS SELECT a FROM t', 'CREATE VIEW v AS SELECT a FROM t'],
  ])('%s', (sql, form) => {
    expect(sqliteDefinitionForm(sql)).toBe(form);
  });
});
