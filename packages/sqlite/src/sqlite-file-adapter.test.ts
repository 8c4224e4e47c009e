import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { runAdapterConformance } from '@switchyard/testkit';

const folders = new Map<object, string>();

runAdapterConformance({
  name: 'sqlite (file, WAL)',
  create: () => {
    const folder = mkdtempSync(join(tmpdir(), 'switchyard-sqlite-'));
    const adapter = createSQLiteAdapter(join(folder, 'app.db'));
    folders.set(adapter, folder);
    return adapter;
  },
  teardown: async (adapter) => {
    await adapter.close();
    rmSync(folders.get(adapter)!, { recursive: true, force: true });
  },
});
