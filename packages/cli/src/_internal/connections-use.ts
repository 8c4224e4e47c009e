import type { DatabaseAdapter } from '@switchyard/core';
import { openConnection } from '../connection-open';
import type { CliIO } from '../command-types';

/** A connection the command needs, by its argument and role. */
export interface ConnectionArg {
  value: string;
  role: string;
  create?: boolean;
}

/** Opens the connections, runs `fn`, and closes them whatever happens. */
export async function withConnections<T>(
  io: CliIO,
  args: readonly ConnectionArg[],
  fn: (adapters: DatabaseAdapter[]) => Promise<T>,
): Promise<T> {
  const opened: DatabaseAdapter[] = [];
  try {
    for (const arg of args) {
      opened.push(await openConnection(arg.value, { role: arg.role, create: arg.create ?? false, env: io.env }));
    }
    return await fn(opened);
  } finally {
    await Promise.allSettled(opened.map((a) => a.close()));
  }
}

/** Writes to a stream and waits when it asks to (large exports piped to a slow reader). */
export async function writeAll(stream: CliIO['stdout'], chunk: string): Promise<void> {
  if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', resolve));
}
