import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PrismaD1 } from '@prisma/adapter-d1';
import { asD1Database } from '@switchyard/core';
import { createD1Adapter } from '@switchyard/d1';
import { createDualWriteAdapter, type DualWriteAdapter } from '@switchyard/dual-write';
import { createPostgresAdapter, type PostgresAdapter } from '@switchyard/postgres';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit';
import { createTestD1, type TestD1 } from '@switchyard/testkit/d1';
import { validateDatabases } from '@switchyard/validation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The tables Prisma's schema (prisma/schema.prisma) maps to, on each engine.
const DDL = {
  sqlite: [
    'CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, admin BOOLEAN NOT NULL DEFAULT 0)',
    'CREATE TABLE todos (id TEXT PRIMARY KEY, title TEXT NOT NULL, done BOOLEAN NOT NULL DEFAULT 0, user_id TEXT NOT NULL REFERENCES users(id))',
  ],
  postgres: [
    'CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, admin BOOLEAN NOT NULL DEFAULT false)',
    'CREATE TABLE todos (id TEXT PRIMARY KEY, title TEXT NOT NULL, done BOOLEAN NOT NULL DEFAULT false, user_id TEXT NOT NULL REFERENCES users(id))',
  ],
};

let d1: TestD1;
let database: TestDatabase;
let postgres: PostgresAdapter;
let dual: DualWriteAdapter;
let prisma: any;

beforeAll(async () => {
  // The client is generated for this run (scripts/generate.mjs says why it is not committed).
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/generate.mjs', import.meta.url))], { stdio: 'pipe' });
  const { PrismaClient } = await import(/* @vite-ignore */ new URL('../generated/client.ts', import.meta.url).href);
  [d1, database] = await Promise.all([createTestD1(), createTestDatabase()]);
  postgres = createPostgresAdapter(database.url, { max: 2 });
  for (const ddl of DDL.sqlite) await d1.binding.prepare(ddl).run();
  for (const ddl of DDL.postgres) await postgres.execute(ddl);
  // Prisma's D1 SQL names tables as `main`.`users`, in backticks, which Postgres refuses:
  // the dual-write adapter sends Postgres the rows each write left, not the statement.
  // secondaryTimeoutMs: a loaded CI machine can hold a healthy Postgres past the 500 ms default.
  dual = createDualWriteAdapter(createD1Adapter(d1.binding), postgres, { verifyWrites: true, secondaryTimeoutMs: 30_000 });
  // The only change the app makes: the D1 binding it hands Prisma is the facade.
  prisma = new PrismaClient({ adapter: new PrismaD1(asD1Database(dual)) });
}, 180_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await dual?.close();
  await Promise.all([d1?.dispose(), database?.drop()]);
});

describe('a Prisma app on D1, moved onto a dual-write adapter through @prisma/adapter-d1', () => {
  it('does its usual CRUD, and both databases validate equal', async () => {
    const ada = await prisma.user.create({
      data: { email: 'ada@example.com', name: 'Ada', todos: { create: [{ title: 'plan' }, { title: 'backfill' }] } },
    });
    const bob = await prisma.user.create({ data: { email: 'bob@example.com', name: 'Bob' } });
    expect(ada).toMatchObject({ email: 'ada@example.com', admin: false });
    await prisma.todo.create({ data: { title: 'validate', userId: bob.id } });
    await prisma.todo.updateMany({ where: { title: 'plan' }, data: { done: true } });
    await prisma.user.update({ where: { id: bob.id }, data: { admin: true } });
    await prisma.todo.deleteMany({ where: { title: 'backfill' } });

    const users = await prisma.user.findMany({ include: { todos: { select: { title: true, done: true } } }, orderBy: { email: 'asc' } });
    expect(users.map((u: any) => [u.name, u.admin, u.todos])).toEqual([
      ['Ada', false, [{ title: 'plan', done: true }]],
      ['Bob', true, [{ title: 'validate', done: false }]],
    ]);
    expect(await prisma.todo.count({ where: { done: false } })).toBe(1);
    expect(await prisma.user.findUnique({ where: { email: 'nobody@example.com' } })).toBeNull();
    // A duplicate key comes back as Prisma's own error code: Prisma reads D1's message, which the facade keeps.
    await expect(prisma.user.create({ data: { email: 'ada@example.com', name: 'Again' } })).rejects.toMatchObject({ code: 'P2002' });

    const report = await validateDatabases(dual.primary, dual.secondary);
    expect(report.ok, report.summary).toBe(true);
    expect(report.totals.rowsCompared).toBe(4);
    expect(await dual.journalEntries()).toEqual([]);
  });
});
