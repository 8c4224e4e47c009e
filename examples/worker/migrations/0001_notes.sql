-- D1 (wrangler d1 migrations apply notes). PostgreSQL gets the same table from
-- `switchyard schema d1://<account-id>/<database-id> <postgres-url> --apply`.
CREATE TABLE IF NOT EXISTS notes (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  content TEXT NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_created_at_idx ON notes (created_at);
