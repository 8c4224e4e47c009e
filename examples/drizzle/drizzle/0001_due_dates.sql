ALTER TABLE `todos` ADD `due` text;
