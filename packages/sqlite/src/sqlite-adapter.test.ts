import { createSQLiteAdapter } from '@switchyard/sqlite';
import { runAdapterConformance } from '@switchyard/testkit';

runAdapterConformance({
  name: 'sqlite (memory)',
  create: () => createSQLiteAdapter(':memory:'),
});
