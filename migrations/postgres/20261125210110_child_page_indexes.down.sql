-- reverse: create index "survey_project_id_id" to table: "surveys"
DROP INDEX "survey_project_id_id";
-- reverse: drop index "survey_project_id" from table: "surveys"
CREATE INDEX "survey_project_id" ON "surveys" ("project_id");
-- reverse: create index "response_survey_id_submitted_at_id" to table: "responses"
DROP INDEX "response_survey_id_submitted_at_id";
-- reverse: create index "response_survey_id_id" to table: "responses"
DROP INDEX "response_survey_id_id";
-- reverse: drop index "response_survey_id_submitted_at" from table: "responses"
CREATE INDEX "response_survey_id_submitted_at" ON "responses" ("survey_id", "submitted_at");
-- reverse: create index "pin_map_id_id" to table: "pins"
DROP INDEX "pin_map_id_id";
-- reverse: create index "projectmap_project_id_id" to table: "maps"
DROP INDEX "projectmap_project_id_id";
-- reverse: drop index "projectmap_project_id" from table: "maps"
CREATE INDEX "projectmap_project_id" ON "maps" ("project_id");
-- reverse: create index "comment_pin_id_id" to table: "comments"
DROP INDEX "comment_pin_id_id";
-- reverse: create index "auditevent_token_id_id" to table: "audit_events"
DROP INDEX "auditevent_token_id_id";
-- reverse: drop index "auditevent_token_id" from table: "audit_events"
CREATE INDEX "auditevent_token_id" ON "audit_events" ("token_id");
-- reverse: create index "apitoken_owner_id_id" to table: "api_tokens"
DROP INDEX "apitoken_owner_id_id";
-- reverse: drop index "apitoken_owner_id" from table: "api_tokens"
CREATE INDEX "apitoken_owner_id" ON "api_tokens" ("owner_id");
-- reverse: create index "answer_response_id_id" to table: "answers"
DROP INDEX "answer_response_id_id";
-- reverse: create index "answer_question_id_id" to table: "answers"
DROP INDEX "answer_question_id_id";
-- reverse: drop index "answer_response_id" from table: "answers"
CREATE INDEX "answer_response_id" ON "answers" ("response_id");
-- reverse: drop index "answer_question_id" from table: "answers"
CREATE INDEX "answer_question_id" ON "answers" ("question_id");
