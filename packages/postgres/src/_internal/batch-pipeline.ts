import type { Client, PoolClient, QueryConfig, QueryResult } from 'pg';

/** What a pipelined run produced: every result, or the index of the first failure. */
export interface PipelineOutcome {
  results: QueryResult[];
  /** Index (into the queries) of the first query that failed. */
  failed?: number;
  /** That query's error. */
  error?: unknown;
}

type Connection = Client | PoolClient;

/**
 * Sends `queries` on one connection without waiting for each answer before the next
 * (pg's `pipeline` mode, in recent pg 8 releases), then collects the answers in order. Within a
 * transaction a failing query aborts it, so the queries behind it fail too
 * ("current transaction is aborted"): the first failure is the one to report, and the
 * caller rolls back. On a pg without pipeline mode the queries run one after another.
 *
 * The connection must be used by nobody else meanwhile; its pipeline flag is restored
 * before this returns.
 */
export async function runPipelined(client: Connection, queries: ReadonlyArray<string | QueryConfig>): Promise<PipelineOutcome> {
  const flag = client as unknown as { pipeline?: unknown };
  if (typeof flag.pipeline !== 'boolean' || queries.length < 2) return runSequentially(client, queries);
  const wasPipelined = flag.pipeline;
  flag.pipeline = true;
  try {
    const pending = queries.map((q) => client.query(q as QueryConfig));
    const settled = await Promise.allSettled(pending);
    const results: QueryResult[] = [];
    for (let i = 0; i < settled.length; i++) {
      const s = settled[i]!;
      if (s.status === 'rejected') return { results, failed: i, error: s.reason };
      results.push(s.value);
    }
    return { results };
  } finally {
    flag.pipeline = wasPipelined;
  }
}

async function runSequentially(client: Connection, queries: ReadonlyArray<string | QueryConfig>): Promise<PipelineOutcome> {
  const results: QueryResult[] = [];
  for (let i = 0; i < queries.length; i++) {
    try {
      results.push(await client.query(queries[i] as QueryConfig));
    } catch (error) {
      return { results, failed: i, error };
    }
  }
  return { results };
}
