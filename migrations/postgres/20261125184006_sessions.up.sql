-- create "sessions" table
CREATE TABLE "sessions" ("token" character varying NOT NULL, "data" bytea NOT NULL, "expiry" timestamptz NOT NULL, PRIMARY KEY ("token"));
-- create index "session_expiry" to table: "sessions"
CREATE INDEX "session_expiry" ON "sessions" ("expiry");
