-- reverse: create index "session_expiry" to table: "sessions"
DROP INDEX "session_expiry";
-- reverse: create "sessions" table
DROP TABLE "sessions";
