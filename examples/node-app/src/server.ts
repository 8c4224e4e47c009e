import { controlTable, createDualWriteAdapter } from '@switchyard/dual-write';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createNotesServer } from './notes-app';
import { ensureNotesTable } from './notes-schema';

// SQLITE_PATH is today's database, DATABASE_URL the PostgreSQL the app moves to.
const sqlitePath = process.env.SQLITE_PATH ?? './notes.db';
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('Set DATABASE_URL to the PostgreSQL to move to, e.g. DATABASE_URL=postgres://app@localhost:5432/notes.');
  process.exit(2);
}

const sqlite = createSQLiteAdapter(sqlitePath);
const postgres = createPostgresAdapter(databaseUrl);
await ensureNotesTable(sqlite);
await ensureNotesTable(postgres);

const db = createDualWriteAdapter(sqlite, postgres, {
  // The first mode of the control record; once it exists, the record decides.
  mode: process.env.PRIMARY === 'postgres' ? 'primary-postgres' : 'primary-sqlite',
  // Every process run against this pair reads mode and epoch from a _switchyard_control
  // table in PostgreSQL (at most a second old), so /admin/switch-primary on one process
  // switches them all, and a restart keeps the mode. CONTROL=off keeps it per process.
  ...(process.env.CONTROL === 'off'
    ? {}
    : { control: { store: controlTable(postgres), instanceId: `${process.env.HOSTNAME ?? 'local'}:${process.pid}` } }),
  verifyWrites: true,
  continueOnSecondaryFailure: true,
  readRouting: { secondaryPercent: Number(process.env.SECONDARY_READ_PERCENT ?? 0) },
});

const server = createNotesServer(db, { adminToken: process.env.ADMIN_TOKEN });
const port = Number(process.env.PORT ?? 3000);
server.listen(port, () => {
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  console.log(`notes API on http://localhost:${bound} (${db.getMetadata().mode})`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => server.close(() => void db.close()));
}
