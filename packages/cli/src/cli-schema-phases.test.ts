import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit/postgres-server';
import { switchyard } from '../test/binary-run';

let dir: string;
let database: TestDatabase;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-cli-phases-'));
  const db = new Database(join(dir, 'source.db'));
  db.exec(`
    CREATE TABLE "Artist" ("ArtistId" INTEGER PRIMARY KEY, "Name" TEXT CHECK (length("Name") < 100));
    CREATE TABLE "Album" ("AlbumId" INTEGER PRIMARY KEY, "ArtistId" INTEGER NOT NULL REFERENCES "Artist"("ArtistId"), "Title" TEXT);
    CREATE INDEX album_artist ON "Album" ("ArtistId");
    CREATE TRIGGER album_title AFTER INSERT ON "Album" BEGIN UPDATE "Album" SET "Title" = upper(NEW."Title") WHERE "AlbumId" = NEW."AlbumId"; END;
    INSERT INTO "Artist" VALUES (1, 'AC/DC'), (2, 'Accept');
    INSERT INTO "Album" VALUES (1, 1, 'For Those About To Rock'), (2, 2, 'Balls to the Wall');
  `);
  db.close();
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

it('applies the tables, copies, then applies the post-data; lower-case names; notes carry the SQL to port', async () => {
  const source = `sqlite:${join(dir, 'source.db')}`;
  const printed = await switchyard(['schema', source, '--to', 'postgres', '--phase', 'post-data', '--identifier-case', 'lower']);
  expect(printed.code).toBe(0);
  expect(printed.stdout).toMatch(
    /ADD CONSTRAINT "album_artistid_fkey" FOREIGN KEY \("artistid"\) REFERENCES "artist" \("artistid"\) NOT VALID;/,
  );
  expect(printed.stdout).toMatch(/-- note: Album: trigger "album_title" is not created[\s\S]*--\s+CREATE TRIGGER album_title/);
  expect(printed.stdout).not.toMatch(/CREATE TABLE/);

  const pre = await switchyard(['schema', source, database.url, '--apply', '--phase', 'pre-data', '--identifier-case', 'lower']);
  expect(pre.code).toBe(0);
  const copy = await switchyard(['copy', source, database.url]);
  expect(copy.code).toBe(0);
  const post = await switchyard(['schema', source, database.url, '--apply', '--phase', 'post-data', '--identifier-case', 'lower']);
  expect(post.stderr).toBe('');
  expect(post.stdout).toMatch(/post-data ran \d+ statement/);
  const again = await switchyard(['schema', source, database.url, '--apply', '--phase', 'post-data', '--identifier-case', 'lower']);
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/already there/);

  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    // Unquoted SQL, as the app writes it, finds the folded names.
    const { rows } = await client.query('SELECT count(*)::int AS n FROM Album JOIN Artist USING (ArtistId)');
    expect(rows[0].n).toBe(2);
    const fks = await client.query("SELECT convalidated FROM pg_constraint WHERE contype = 'f'");
    expect(fks.rows).toEqual([{ convalidated: true }]);
    await expect(client.query("INSERT INTO Album VALUES (3, 99, 'x')")).rejects.toThrow(/foreign key/);
  } finally {
    await client.end();
  }
});

/**
 * Drizzle's migrations table (`id SERIAL PRIMARY KEY`, NULL in every row) is the source
 * engine's own record: `--exclude` leaves it out of the schema and of the copy, which would
 * otherwise stop at its first row.
 */
it('schema and copy --exclude leave a table out', async () => {
  const path = join(dir, 'drizzle.db');
  const db = new Database(path);
  db.exec(`
    CREATE TABLE "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric);
    INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES ('4f1c', 1700000000000);
    CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);
    INSERT INTO users VALUES (1, 'ada@example.com');
  `);
  db.close();
  const source = `sqlite:${path}`;
  const printed = await switchyard(['schema', source, '--to', 'postgres', '--exclude', '__drizzle_migrations']);
  expect(printed.code).toBe(0);
  expect(printed.stdout).toMatch(/CREATE TABLE IF NOT EXISTS "users"/);
  expect(printed.stdout).not.toMatch(/__drizzle_migrations/);
  const copy = await switchyard(['copy', source, database.url, '--create-schema', '--exclude', '__drizzle_migrations']);
  expect(copy.stderr).toMatch(/created users in <target>/);
  expect(copy.code).toBe(0);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT to_regclass('__drizzle_migrations') AS excluded, (SELECT count(*)::int FROM users) AS users",
    );
    expect(rows).toEqual([{ excluded: null, users: 1 }]);
  } finally {
    await client.end();
  }
});
