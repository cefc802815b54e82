-- reverse: create "api_token_allowed_projects" table
DROP TABLE `api_token_allowed_projects`;
-- reverse: create index "users_email_key" to table: "users"
DROP INDEX `users_email_key`;
-- reverse: create "users" table
DROP TABLE `users`;
-- reverse: create index "teammembership_user_id" to table: "team_memberships"
DROP INDEX `teammembership_user_id`;
-- reverse: create index "teammembership_team_id_user_id" to table: "team_memberships"
DROP INDEX `teammembership_team_id_user_id`;
-- reverse: create "team_memberships" table
DROP TABLE `team_memberships`;
-- reverse: create "teams" table
DROP TABLE `teams`;
-- reverse: create index "survey_project_id" to table: "surveys"
DROP INDEX `survey_project_id`;
-- reverse: create "surveys" table
DROP TABLE `surveys`;
-- reverse: create index "session_expiry" to table: "sessions"
DROP INDEX `session_expiry`;
-- reverse: create "sessions" table
DROP TABLE `sessions`;
-- reverse: create index "response_project_id" to table: "responses"
DROP INDEX `response_project_id`;
-- reverse: create index "response_survey_id_submitted_at" to table: "responses"
DROP INDEX `response_survey_id_submitted_at`;
-- reverse: create "responses" table
DROP TABLE `responses`;
-- reverse: create index "question_project_id" to table: "questions"
DROP INDEX `question_project_id`;
-- reverse: create index "question_survey_id_position" to table: "questions"
DROP INDEX `question_survey_id_position`;
-- reverse: create "questions" table
DROP TABLE `questions`;
-- reverse: create index "projectmembership_user_id" to table: "project_memberships"
DROP INDEX `projectmembership_user_id`;
-- reverse: create index "projectmembership_project_id_user_id" to table: "project_memberships"
DROP INDEX `projectmembership_project_id_user_id`;
-- reverse: create "project_memberships" table
DROP TABLE `project_memberships`;
-- reverse: create index "projectmap_project_id" to table: "maps"
DROP INDEX `projectmap_project_id`;
-- reverse: create "maps" table
DROP TABLE `maps`;
-- reverse: create index "project_status" to table: "projects"
DROP INDEX `project_status`;
-- reverse: create index "project_team_id" to table: "projects"
DROP INDEX `project_team_id`;
-- reverse: create index "projects_slug_key" to table: "projects"
DROP INDEX `projects_slug_key`;
-- reverse: create "projects" table
DROP TABLE `projects`;
-- reverse: create index "pin_project_id_status" to table: "pins"
DROP INDEX `pin_project_id_status`;
-- reverse: create index "pin_map_id_status" to table: "pins"
DROP INDEX `pin_map_id_status`;
-- reverse: create "pins" table
DROP TABLE `pins`;
-- reverse: create index "comment_project_id_status" to table: "comments"
DROP INDEX `comment_project_id_status`;
-- reverse: create index "comment_pin_id_status" to table: "comments"
DROP INDEX `comment_pin_id_status`;
-- reverse: create "comments" table
DROP TABLE `comments`;
-- reverse: create index "auditevent_created_at" to table: "audit_events"
DROP INDEX `auditevent_created_at`;
-- reverse: create index "auditevent_token_id" to table: "audit_events"
DROP INDEX `auditevent_token_id`;
-- reverse: create index "auditevent_actor_id" to table: "audit_events"
DROP INDEX `auditevent_actor_id`;
-- reverse: create "audit_events" table
DROP TABLE `audit_events`;
-- reverse: create index "answer_project_id" to table: "answers"
DROP INDEX `answer_project_id`;
-- reverse: create index "answer_question_id" to table: "answers"
DROP INDEX `answer_question_id`;
-- reverse: create index "answer_response_id" to table: "answers"
DROP INDEX `answer_response_id`;
-- reverse: create "answers" table
DROP TABLE `answers`;
-- reverse: create index "apitoken_owner_id" to table: "api_tokens"
DROP INDEX `apitoken_owner_id`;
-- reverse: create index "api_tokens_secret_hash_key" to table: "api_tokens"
DROP INDEX `api_tokens_secret_hash_key`;
-- reverse: create "api_tokens" table
DROP TABLE `api_tokens`;
