import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** A forked fleet-worker.ts and a way to send it a command and wait for its answer. */
export interface FleetProcess {
  child: ChildProcess;
  ask<T = Record<string, unknown>>(cmd: string): Promise<T>;
}

/** Forks `count` app instances on one SQLite file and one Postgres database, ready to write. */
export async function forkFleet(count: number, sqlitePath: string, url: string, refreshMs?: number): Promise<FleetProcess[]> {
  const fleet = Array.from({ length: count }, (_, i) => {
    const args = [sqlitePath, url, `instance-${i}`, ...(refreshMs ? [String(refreshMs)] : [])];
    const child = fork(join(here, 'fleet-worker.ts'), args, {
      cwd: join(here, '..', '..'),
      execArgv: ['--import', 'tsx', '--conditions=@switchyard/source'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const queue: ((m: Record<string, unknown>) => void)[] = [];
    const ready = new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`instance-${i} exited ${code}`)));
    });
    child.on('message', (m: Record<string, unknown>) => queue.shift()?.(m));
    const ask = <T>(cmd: string) =>
      new Promise<T>((resolve, reject) => {
        queue.push((m) => (m.error ? reject(new Error(String(m.error))) : resolve(m as T)));
        child.send({ cmd });
      });
    return { child, ask, ready };
  });
  await Promise.all(fleet.map((f) => f.ready));
  return fleet.map(({ child, ask }) => ({ child, ask }));
}
