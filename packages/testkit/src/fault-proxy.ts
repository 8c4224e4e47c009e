import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

/**
 * How a {@link FaultProxy} treats traffic:
 * - `'pass'`: forwards both ways.
 * - `'refuse'`: resets new connections as soon as they arrive and destroys the open ones.
 * - `'hang'`: a blackhole. Nothing is forwarded either way and nothing is closed or reset;
 *   new connections are accepted and then hear nothing. Bytes sent meanwhile wait in the
 *   sockets' buffers and flow again when the mode returns to `'pass'`.
 * - `'drop-replies'`: what the client sends reaches the server (so the server runs the
 *   statement), what the server answers is discarded, and `dropDelayMs` after the first
 *   discarded reply the client's connection is destroyed: the server ran it, the reply was lost.
 *
 * @example
 * ```ts
 * proxy.setMode('drop-replies' satisfies FaultMode);
 * ```
 */
export type FaultMode = 'pass' | 'refuse' | 'hang' | 'drop-replies';

/**
 * Options of {@link startFaultProxy}.
 *
 * @example
 * ```ts
 * const options: FaultProxyOptions = { target: { host: '127.0.0.1', port: 5432 }, dropDelayMs: 100 };
 * ```
 */
export interface FaultProxyOptions {
  /** The server to forward to. */
  target: { host: string; port: number };
  /** Mode at start. Default `'pass'`. */
  mode?: FaultMode;
  /** In `'drop-replies'`, how long after the first discarded reply the client's connection is destroyed. Default `300`. */
  dropDelayMs?: number;
}

/**
 * A TCP proxy on 127.0.0.1 that injects network faults between a client and a server.
 *
 * @example
 * ```ts
 * const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: 5432 } });
 * const adapter = createPostgresAdapter(proxy.url(process.env.POSTGRES_URL!));
 * proxy.setMode('hang');
 * ```
 */
export interface FaultProxy {
  /** The ephemeral port the proxy listens on. */
  readonly port: number;
  /** The current mode. */
  readonly mode: FaultMode;
  /** Connections open through the proxy now. */
  readonly connections: number;
  /** `baseUrl` (e.g. a postgres:// URL) with its host and port replaced by the proxy's. */
  url(baseUrl: string): string;
  /** Switches the mode for open and new connections alike. */
  setMode(mode: FaultMode): void;
  /**
   * A stuck flow: the connections open now hear nothing either way (as in `'hang'`) while
   * new ones pass, until the returned function lets their buffered bytes flow again.
   */
  stallOpenConnections(): () => void;
  /** Destroys every open connection (both sides), whatever the mode. */
  killConnections(): void;
  /** Destroys every connection and stops listening. */
  close(): Promise<void>;
}

interface Link {
  client: Socket;
  server: Socket;
  dropTimer?: ReturnType<typeof setTimeout>;
  /** Held by {@link FaultProxy.stallOpenConnections}, whatever the mode. */
  stalled?: boolean;
}

/**
 * Starts a {@link FaultProxy} in front of `target`, listening on 127.0.0.1 on an
 * ephemeral port. Point the code under test at `proxy.url(realUrl)` and switch modes to
 * make the network refuse, hang or lose replies.
 *
 * @example
 * ```ts
 * const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: 5432 } });
 * const adapter = createPostgresAdapter(proxy.url(process.env.POSTGRES_URL!));
 * proxy.setMode('drop-replies');
 * await expect(adapter.execute('INSERT INTO t VALUES (1)')).rejects.toThrow(); // yet the row is there
 * proxy.setMode('pass');
 * await proxy.close();
 * ```
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const { target } = options;
  const dropDelayMs = options.dropDelayMs ?? 300;
  let mode: FaultMode = options.mode ?? 'pass';
  const links = new Set<Link>();

  const destroy = (link: Link): void => {
    clearTimeout(link.dropTimer);
    links.delete(link);
    link.client.destroy();
    link.server.destroy();
  };
  // Paused sockets read nothing, so the peer's bytes wait in the kernel: a blackhole that keeps the connection open.
  const applyFlow = (link: Link): void => {
    if (mode === 'hang' || link.stalled) {
      link.client.pause();
      link.server.pause();
    } else {
      link.client.resume();
      link.server.resume();
    }
  };

  const server = createServer({ pauseOnConnect: true }, (client) => {
    client.on('error', () => {});
    if (mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: target.host, port: target.port });
    upstream.pause();
    upstream.on('error', () => {});
    const link: Link = { client, server: upstream };
    links.add(link);
    client.on('data', (chunk: Buffer) => {
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => applyFlow(link));
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (mode === 'drop-replies') {
        link.dropTimer ??= setTimeout(() => destroy(link), dropDelayMs);
        return;
      }
      if (!client.write(chunk)) {
        upstream.pause();
        client.once('drain', () => applyFlow(link));
      }
    });
    client.on('close', () => destroy(link));
    upstream.on('close', () => destroy(link));
    applyFlow(link);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const killConnections = (): void => {
    for (const link of [...links]) destroy(link);
  };
  return {
    port,
    get mode() {
      return mode;
    },
    get connections() {
      return links.size;
    },
    url(baseUrl: string): string {
      const parsed = new URL(baseUrl);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    setMode(next: FaultMode): void {
      mode = next;
      if (next === 'refuse') killConnections();
      else for (const link of links) applyFlow(link);
    },
    stallOpenConnections(): () => void {
      const stalled = [...links];
      for (const link of stalled) {
        link.stalled = true;
        applyFlow(link);
      }
      return () => {
        for (const link of stalled) {
          link.stalled = false;
          if (links.has(link)) applyFlow(link);
        }
      };
    },
    killConnections,
    async close(): Promise<void> {
      killConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
