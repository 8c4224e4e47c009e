import { and, count, eq } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { SqliteRemoteDatabase } from 'drizzle-orm/sqlite-proxy';
import * as schema from './todo-schema';

/**
 * A Drizzle database over D1, over `asD1Database(adapter)`, or over an adapter through
 * Drizzle's SQLite proxy driver: the app cannot tell.
 */
export type TodoDb = DrizzleD1Database<typeof schema> | SqliteRemoteDatabase<typeof schema>;

/**
 * A to-do app's data layer, written for D1 with Drizzle and left unchanged when it moves:
 * the usual CRUD, a batch, joins and a relational query.
 */
export function todoApp(any: TodoDb) {
  // Both drivers offer the same async SQLite API; one type keeps the calls below checked once.
  const db = any as DrizzleD1Database<typeof schema>;
  return {
    signUp: (email: string, name: string) => db.insert(schema.users).values({ email, name }).returning().get(),
    addTodo: (userId: number, title: string) => db.insert(schema.todos).values({ userId, title }).returning({ id: schema.todos.id }).get(),
    /** Two writes that must land together: D1's batch, atomic on each side. */
    importTodos: (userId: number, titles: string[]) =>
      db.batch(titles.map((title) => db.insert(schema.todos).values({ userId, title })) as [any, ...any[]]),
    complete: (id: number) => db.update(schema.todos).set({ done: true }).where(eq(schema.todos.id, id)).run(),
    promote: (email: string) => db.update(schema.users).set({ admin: true }).where(eq(schema.users.email, email)).run(),
    remove: (id: number) => db.delete(schema.todos).where(eq(schema.todos.id, id)).run(),
    openTodos: (userId: number) =>
      db
        .select()
        .from(schema.todos)
        .where(and(eq(schema.todos.userId, userId), eq(schema.todos.done, false)))
        .orderBy(schema.todos.id)
        .all(),
    counts: () =>
      db
        .select({ email: schema.users.email, n: count() })
        .from(schema.todos)
        .innerJoin(schema.users, eq(schema.todos.userId, schema.users.id))
        .groupBy(schema.users.email)
        .orderBy(schema.users.email)
        .all(),
    /** A join whose columns have distinct names. */
    todoOwners: () =>
      db
        .select({ title: schema.todos.title, email: schema.users.email })
        .from(schema.todos)
        .innerJoin(schema.users, eq(schema.todos.userId, schema.users.id))
        .orderBy(schema.todos.id)
        .all(),
    /** A join selecting two columns named `id`: Drizzle reads them by position. */
    todoIds: () =>
      db
        .select({ todo: schema.todos.id, owner: schema.users.id })
        .from(schema.todos)
        .innerJoin(schema.users, eq(schema.todos.userId, schema.users.id))
        .orderBy(schema.todos.id)
        .all(),
    withTodos: () => db.query.users.findMany({ with: { todos: { columns: { title: true, done: true } } }, orderBy: schema.users.email }),
  };
}
