import type { DatabaseAdapter } from '@switchyard/core';
import { runAdapterConformance } from '@switchyard/testkit';
import { createTestD1 } from '@switchyard/testkit/d1';
import { createD1Adapter } from './index';

const disposers = new WeakMap<DatabaseAdapter, () => Promise<void>>();

runAdapterConformance({
  name: 'd1 (binding, miniflare)',
  create: async () => {
    const d1 = await createTestD1();
    const adapter = createD1Adapter(d1.binding);
    disposers.set(adapter, d1.dispose);
    return adapter;
  },
  teardown: async (adapter) => {
    await adapter.close();
    await disposers.get(adapter)?.();
  },
});
