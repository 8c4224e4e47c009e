/**
 * Another process on the secondary's SQLite file: takes its write lock, says `held`, and
 * keeps it for the time given, as another instance's long write or a maintenance script would.
 * Run with: fork(this file, [file, ms], { execArgv: ['--import', 'tsx', '--conditions=@switchyard/source'] }).
 */
import { createSQLiteAdapter } from '@switchyard/sqlite';

const [file, ms] = process.argv.slice(2);
const db = createSQLiteAdapter(file!).database;
db.exec('BEGIN IMMEDIATE');
db.exec("INSERT INTO t (id, v) VALUES (999999, 'held')");
process.send!('held');
setTimeout(() => {
  db.exec('COMMIT');
  db.close();
  process.exit(0);
}, Number(ms));
