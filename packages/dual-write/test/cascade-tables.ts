/**
 * Three tables whose foreign keys act on delete: a child CASCADEs from its parent and has a
 * second reference that is SET NULL, and a grandchild CASCADEs from the child. Without
 * `foreignKeys` the same columns hold no constraint, as on a secondary before the post-data step.
 */
export const cascadeTables = (foreignKeys: boolean): string[] => [
  'CREATE TABLE parent (id int PRIMARY KEY, name text)',
  `CREATE TABLE child (id int PRIMARY KEY, parent_id int ${foreignKeys ? 'REFERENCES parent (id) ON DELETE CASCADE' : ''}, ` +
    `other_id int ${foreignKeys ? 'REFERENCES parent ON DELETE SET NULL' : ''})`,
  `CREATE TABLE grandchild (id int PRIMARY KEY, child_id int ${foreignKeys ? 'REFERENCES child (id) ON DELETE CASCADE' : ''})`,
];
