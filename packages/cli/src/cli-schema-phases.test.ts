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
