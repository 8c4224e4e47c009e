import type { DatabaseAdapter } from '@switchyard/core';
import { runAdapterConformance } from '@switchyard/testkit';
import { startD1RestServer } from '@switchyard/testkit/d1';
import { createD1Adapter } from './index';

const servers = new WeakMap<DatabaseAdapter, { close(): Promise<void> }>();

runAdapterConformance({
  name: 'd1 (rest api, miniflare)',
  create: async () => {
    const server = await startD1RestServer();
    const { accountId, databaseId, apiToken } = server;
    const adapter = createD1Adapter({ accountId, databaseId, apiToken, baseUrl: server.url });
    servers.set(adapter, server);
    return adapter;
  },
  teardown: async (adapter) => {
    await adapter.close();
    await servers.get(adapter)?.close();
  },
});
