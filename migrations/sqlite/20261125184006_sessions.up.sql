-- create "sessions" table
CREATE TABLE `sessions` (`token` text NOT NULL, `data` blob NOT NULL, `expiry` datetime NOT NULL, PRIMARY KEY (`token`));
-- create index "session_expiry" to table: "sessions"
CREATE INDEX `session_expiry` ON `sessions` (`expiry`);
