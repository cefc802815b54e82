-- create index "response_submitted_at_id" to table: "responses"
CREATE INDEX `response_submitted_at_id` ON `responses` (`submitted_at`, `id`);
