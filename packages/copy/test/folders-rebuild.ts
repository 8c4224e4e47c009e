/**
 * drizzle-kit's way to alter a column of SQLite's `folders (id, parent → folders, name)`,
 * sent by Drizzle's migrator as one batch: create `__new_folders` with the new definition
 * (`name` now `NOT NULL DEFAULT 'untitled'`), copy the rows, drop `folders`, rename.
 */
export const REBUILD_FOLDERS = [
  'PRAGMA defer_foreign_keys=ON',
  "CREATE TABLE `__new_folders` (`id` integer PRIMARY KEY NOT NULL, `parent` integer, `name` text DEFAULT 'untitled' NOT NULL, FOREIGN KEY (`parent`) REFERENCES `folders`(`id`))",
  'INSERT INTO `__new_folders`("id", "parent", "name") SELECT "id", "parent", coalesce("name", \'untitled\') FROM `folders`',
  'DROP TABLE `folders`',
  'ALTER TABLE `__new_folders` RENAME TO `folders`',
  'PRAGMA defer_foreign_keys=OFF',
];
