-- reverse: create index "response_submitted_at_id" to table: "responses"
DROP INDEX `response_submitted_at_id`;
