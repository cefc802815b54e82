-- drop index "apitoken_owner_id" from table: "api_tokens"
DROP INDEX `apitoken_owner_id`;
-- create index "apitoken_owner_id_id" to table: "api_tokens"
CREATE INDEX `apitoken_owner_id_id` ON `api_tokens` (`owner_id`, `id`);
-- drop index "answer_response_id" from table: "answers"
DROP INDEX `answer_response_id`;
-- drop index "answer_question_id" from table: "answers"
DROP INDEX `answer_question_id`;
-- create index "answer_response_id_id" to table: "answers"
CREATE INDEX `answer_response_id_id` ON `answers` (`response_id`, `id`);
-- create index "answer_question_id_id" to table: "answers"
CREATE INDEX `answer_question_id_id` ON `answers` (`question_id`, `id`);
-- drop index "auditevent_token_id" from table: "audit_events"
DROP INDEX `auditevent_token_id`;
-- create index "auditevent_token_id_id" to table: "audit_events"
CREATE INDEX `auditevent_token_id_id` ON `audit_events` (`token_id`, `id`);
-- create index "comment_pin_id_id" to table: "comments"
CREATE INDEX `comment_pin_id_id` ON `comments` (`pin_id`, `id`);
-- create index "pin_map_id_id" to table: "pins"
CREATE INDEX `pin_map_id_id` ON `pins` (`map_id`, `id`);
-- drop index "projectmap_project_id" from table: "maps"
DROP INDEX `projectmap_project_id`;
-- create index "projectmap_project_id_id" to table: "maps"
CREATE INDEX `projectmap_project_id_id` ON `maps` (`project_id`, `id`);
-- drop index "response_survey_id_submitted_at" from table: "responses"
DROP INDEX `response_survey_id_submitted_at`;
-- create index "response_survey_id_id" to table: "responses"
CREATE INDEX `response_survey_id_id` ON `responses` (`survey_id`, `id`);
-- create index "response_survey_id_submitted_at_id" to table: "responses"
CREATE INDEX `response_survey_id_submitted_at_id` ON `responses` (`survey_id`, `submitted_at`, `id`);
-- drop index "survey_project_id" from table: "surveys"
DROP INDEX `survey_project_id`;
-- create index "survey_project_id_id" to table: "surveys"
CREATE INDEX `survey_project_id_id` ON `surveys` (`project_id`, `id`);
