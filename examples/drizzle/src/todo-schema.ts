import { relations } from 'drizzle-orm';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

// Keys and timestamps are made by the app, not by the engine: a statement that leaves
// them to the engine (`INTEGER PRIMARY KEY` without a value, `strftime('now')`) would
// get a different value, or fail, where the dual-write adapter replays it on Postgres.
const newId = () => crypto.randomUUID();

/** The app's tables, as a Drizzle app on D1 declares them. */
export const users = sqliteTable('users', {
  id: text('id').primaryKey().$defaultFn(newId),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  admin: integer('admin', { mode: 'boolean' }).notNull().default(false),
});

/** One to-do item of a user. */
export const todos = sqliteTable('todos', {
  id: text('id').primaryKey().$defaultFn(newId),
  userId: text('user_id').notNull().references(() => users.id),
  title: text('title').notNull(),
  done: integer('done', { mode: 'boolean' }).notNull().default(false),
  createdAt: text('created_at').notNull().$defaultFn(() => new Date().toISOString()),
});

export const usersRelations = relations(users, ({ many }) => ({ todos: many(todos) }));
export const todosRelations = relations(todos, ({ one }) => ({ user: one(users, { fields: [todos.userId], references: [users.id] }) }));

/** The same tables on each engine: D1 (SQLite) and the Postgres the app moves to. */
export const DDL = {
  sqlite: [
    'CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, admin BOOLEAN NOT NULL DEFAULT 0)',
    'CREATE TABLE todos (id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), title TEXT NOT NULL, done BOOLEAN NOT NULL DEFAULT 0, created_at TEXT NOT NULL)',
  ],
  postgres: [
    'CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, admin BOOLEAN NOT NULL DEFAULT false)',
    'CREATE TABLE todos (id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), title TEXT NOT NULL, done BOOLEAN NOT NULL DEFAULT false, created_at TEXT NOT NULL)',
  ],
};
