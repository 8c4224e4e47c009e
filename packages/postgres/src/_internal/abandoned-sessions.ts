import { TransientError, type AbandonedSession } from '@switchyard/core';
import type { PostgresConnection } from '../postgres-connection';

/** Sessions remembered at most; an outage that abandons more keeps the newest (see `record`). */
const MAX_REMEMBERED = 10_000;
/** How long a fence waits for the ended sessions to be gone before it gives up. */
const FENCE_WAIT_MS = 5_000;

type Run = (sql: string, params: unknown[]) => Promise<Array<{ pid: number }>>;

// Matches a remembered session only if it started before it was abandoned, by the server's
// own clock: a process id the server reused since then belongs to someone else's session.
// And only one of a role this one may end (its own, or one it is a member of): another
// process's list may name a session of a role it cannot signal, which must not stop the fence
// (most roles see no other role's session start, but one that reads all statistics does).
const MATCH = `FROM unnest($1::int[], $2::float8[]) AS a(pid, age_ms)
  JOIN pg_stat_activity s ON s.pid = a.pid
  WHERE s.backend_start <= clock_timestamp() - make_interval(secs => a.age_ms / 1000)
    AND pg_has_role(s.usesysid, 'MEMBER')`;

/**
 * The server sessions of connections an adapter gave up on (a query timeout, a lost
 * connection) while a statement may still be on its way: the client closed its end, but
 * bytes already in the network can still reach the server and run there, long after the
 * caller was told the statement failed. `fence()` ends those sessions on the server and
 * waits until they are gone, so that afterwards none of their statements can run.
 */
export class AbandonedSessions {
  /** Backend process id -> when its connection was abandoned (`performance.now()`, and epoch milliseconds). */
  readonly #sessions = new Map<number, { since: number; at: number }>();
  /** Connections running a statement now, by backend process id. */
  readonly #busy = new Map<number, { client: PostgresConnection; runs: number }>();

  /** Remembers `client`'s server session, known from the backend key the server sent at connect. */
  record(client: PostgresConnection): void {
    const pid = pidOf(client);
    if (pid === undefined) return;
    this.#sessions.delete(pid);
    this.#sessions.set(pid, { since: performance.now(), at: Date.now() });
    // Oldest first in a Map: the oldest abandoned statements are the likeliest to have run or died already.
    if (this.#sessions.size > MAX_REMEMBERED) this.#sessions.delete(this.#sessions.keys().next().value!);
  }

  /** Marks `client` as running a statement until the returned function is called. */
  running(client: PostgresConnection): () => void {
    const pid = pidOf(client);
    if (pid === undefined) return () => {};
    const busy = this.#busy.get(pid);
    if (busy?.client === client) busy.runs++;
    else this.#busy.set(pid, { client, runs: 1 });
    return () => {
      const now = this.#busy.get(pid);
      if (now?.client === client && --now.runs === 0) this.#busy.delete(pid);
    };
  }

  /** Sessions remembered and not fenced yet. */
  get size(): number {
    return this.#sessions.size;
  }

  /** The sessions to fence, for another process (see `PostgresAdapter.abandonedSessions`). */
  list(inFlight: boolean): AbandonedSession[] {
    const out = [...this.#sessions].map(([pid, { at }]) => ({ pid, at }));
    if (inFlight) for (const pid of this.#busy.keys()) if (!this.#sessions.has(pid)) out.push({ pid, at: Date.now() });
    return out;
  }

  /**
   * Ends the remembered sessions, and `others` (another process's, from a journal), still
   * open on the server (`pg_terminate_backend`), and waits until they are gone; returns how
   * many it ended. One of `others` this adapter is running a statement on is its own and
   * alive: left alone. `run` must use a connection of its own. Rejects, keeping every session
   * remembered, when the server cannot be asked or a session outlives the wait.
   */
  async fence(run: Run, others: readonly AbandonedSession[] = []): Promise<number> {
    // Each listed once, as abandoned the latest (a journal lists a session in every entry it left).
    const latest = new Map<number, number>();
    for (const s of others)
      if (!this.#sessions.has(s.pid) && !this.#busy.has(s.pid)) latest.set(s.pid, Math.max(latest.get(s.pid) ?? 0, s.at));
    const theirs = [...latest].map(([pid, at]) => ({ pid, at }));
    if (this.#sessions.size === 0 && theirs.length === 0) return 0;
    const fenced = new Map(this.#sessions);
    const params = () => {
      const now = performance.now();
      const wall = Date.now();
      const own = [...fenced].map(([pid, { since }]) => [pid, Math.max(0, now - since)] as const);
      const all = [...own, ...theirs.map((s) => [s.pid, Math.max(0, wall - s.at)] as const)];
      return [all.map(([pid]) => pid), all.map(([, age]) => age)];
    };
    const ended = await run(`SELECT a.pid, pg_terminate_backend(a.pid) AS ended ${MATCH}`, params());
    const deadline = performance.now() + FENCE_WAIT_MS;
    for (;;) {
      const alive = await run(`SELECT a.pid ${MATCH}`, params());
      if (alive.length === 0) break;
      if (performance.now() > deadline) {
        throw new TransientError(
          `Postgres sessions ${alive.map((r) => r.pid).join(', ')} were asked to end (pg_terminate_backend) but are still there ` +
            `after ${FENCE_WAIT_MS} ms; a statement sent on them before they were abandoned could still run. Try again later.`,
          { dialect: 'postgres' },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Only what this fence covered: a session abandoned meanwhile waits for the next fence.
    for (const [pid, at] of fenced) if (this.#sessions.get(pid) === at) this.#sessions.delete(pid);
    return ended.length;
  }
}

function pidOf(client: PostgresConnection): number | undefined {
  const pid = (client as { processID?: unknown }).processID;
  return typeof pid === 'number' && pid > 0 ? pid : undefined;
}
