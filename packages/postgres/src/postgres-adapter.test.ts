import { afterAll } from 'vitest';
import { createTestDatabase, runAdapterConformance } from '@switchyard/testkit';
import { createPostgresAdapter } from './postgres-create';

// One database for the file; `create` may be called again by tests that close their adapter.
const database = await createTestDatabase();
afterAll(() => database.drop());

runAdapterConformance({ name: 'postgres', create: () => createPostgresAdapter(database.url, { max: 4 }) });
