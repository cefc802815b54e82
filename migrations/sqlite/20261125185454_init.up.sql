-- create "api_tokens" table
CREATE TABLE `api_tokens` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `prefix` text NOT NULL, `secret_hash` text NOT NULL, `read_only` bool NOT NULL DEFAULT (false), `expires_at` datetime NULL, `last_used_at` datetime NULL, `last_used_ip` text NULL, `use_count` integer NOT NULL DEFAULT (0), `revoked_at` datetime NULL, `owner_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `api_tokens_users_api_tokens` FOREIGN KEY (`owner_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- create index "api_tokens_secret_hash_key" to table: "api_tokens"
CREATE UNIQUE INDEX `api_tokens_secret_hash_key` ON `api_tokens` (`secret_hash`);
-- create index "apitoken_owner_id" to table: "api_tokens"
CREATE INDEX `apitoken_owner_id` ON `api_tokens` (`owner_id`);
-- create "answers" table
CREATE TABLE `answers` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `value` text NOT NULL, `project_id` text NOT NULL, `question_id` text NOT NULL, `response_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `answers_questions_answers` FOREIGN KEY (`question_id`) REFERENCES `questions` (`id`) ON DELETE NO ACTION, CONSTRAINT `answers_responses_answers` FOREIGN KEY (`response_id`) REFERENCES `responses` (`id`) ON DELETE NO ACTION);
-- create index "answer_response_id" to table: "answers"
CREATE INDEX `answer_response_id` ON `answers` (`response_id`);
-- create index "answer_question_id" to table: "answers"
CREATE INDEX `answer_question_id` ON `answers` (`question_id`);
-- create index "answer_project_id" to table: "answers"
CREATE INDEX `answer_project_id` ON `answers` (`project_id`);
-- create "audit_events" table
CREATE TABLE `audit_events` (`id` text NOT NULL, `action` text NOT NULL, `ip` text NULL, `created_at` datetime NOT NULL, `details` json NULL, `token_id` text NULL, `actor_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `audit_events_api_tokens_audit_events` FOREIGN KEY (`token_id`) REFERENCES `api_tokens` (`id`) ON DELETE SET NULL, CONSTRAINT `audit_events_users_actor` FOREIGN KEY (`actor_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- create index "auditevent_actor_id" to table: "audit_events"
CREATE INDEX `auditevent_actor_id` ON `audit_events` (`actor_id`);
-- create index "auditevent_token_id" to table: "audit_events"
CREATE INDEX `auditevent_token_id` ON `audit_events` (`token_id`);
-- create index "auditevent_created_at" to table: "audit_events"
CREATE INDEX `auditevent_created_at` ON `audit_events` (`created_at`);
-- create "comments" table
CREATE TABLE `comments` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `body` text NOT NULL, `author_name` text NOT NULL DEFAULT (''), `author_email` text NULL, `status` text NOT NULL, `project_id` text NOT NULL, `pin_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `comments_pins_comments` FOREIGN KEY (`pin_id`) REFERENCES `pins` (`id`) ON DELETE NO ACTION);
-- create index "comment_pin_id_status" to table: "comments"
CREATE INDEX `comment_pin_id_status` ON `comments` (`pin_id`, `status`);
-- create index "comment_project_id_status" to table: "comments"
CREATE INDEX `comment_project_id_status` ON `comments` (`project_id`, `status`);
-- create "pins" table
CREATE TABLE `pins` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `latitude` real NOT NULL, `longitude` real NOT NULL, `category` text NOT NULL DEFAULT (''), `body` text NOT NULL, `author_name` text NOT NULL DEFAULT (''), `author_email` text NULL, `status` text NOT NULL, `project_id` text NOT NULL, `map_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `pins_maps_pins` FOREIGN KEY (`map_id`) REFERENCES `maps` (`id`) ON DELETE NO ACTION);
-- create index "pin_map_id_status" to table: "pins"
CREATE INDEX `pin_map_id_status` ON `pins` (`map_id`, `status`);
-- create index "pin_project_id_status" to table: "pins"
CREATE INDEX `pin_project_id_status` ON `pins` (`project_id`, `status`);
-- create "projects" table
CREATE TABLE `projects` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `title` text NOT NULL, `slug` text NOT NULL, `summary` text NOT NULL DEFAULT (''), `status` text NOT NULL DEFAULT ('DRAFT'), `moderation` text NOT NULL DEFAULT ('PUBLISH_IMMEDIATELY'), `team_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `projects_teams_projects` FOREIGN KEY (`team_id`) REFERENCES `teams` (`id`) ON DELETE SET NULL);
-- create index "projects_slug_key" to table: "projects"
CREATE UNIQUE INDEX `projects_slug_key` ON `projects` (`slug`);
-- create index "project_team_id" to table: "projects"
CREATE INDEX `project_team_id` ON `projects` (`team_id`);
-- create index "project_status" to table: "projects"
CREATE INDEX `project_status` ON `projects` (`status`);
-- create "maps" table
CREATE TABLE `maps` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `title` text NOT NULL, `center_latitude` real NOT NULL, `center_longitude` real NOT NULL, `zoom` integer NOT NULL DEFAULT (12), `project_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `maps_projects_maps` FOREIGN KEY (`project_id`) REFERENCES `projects` (`id`) ON DELETE NO ACTION);
-- create index "projectmap_project_id" to table: "maps"
CREATE INDEX `projectmap_project_id` ON `maps` (`project_id`);
-- create "project_memberships" table
CREATE TABLE `project_memberships` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `role` text NOT NULL, `project_id` text NOT NULL, `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `project_memberships_projects_memberships` FOREIGN KEY (`project_id`) REFERENCES `projects` (`id`) ON DELETE NO ACTION, CONSTRAINT `project_memberships_users_project_memberships` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- create index "projectmembership_project_id_user_id" to table: "project_memberships"
CREATE UNIQUE INDEX `projectmembership_project_id_user_id` ON `project_memberships` (`project_id`, `user_id`);
-- create index "projectmembership_user_id" to table: "project_memberships"
CREATE INDEX `projectmembership_user_id` ON `project_memberships` (`user_id`);
-- create "questions" table
CREATE TABLE `questions` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `position` integer NOT NULL, `kind` text NOT NULL, `prompt` text NOT NULL, `required` bool NOT NULL DEFAULT (false), `options` json NULL, `project_id` text NOT NULL, `survey_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `questions_surveys_questions` FOREIGN KEY (`survey_id`) REFERENCES `surveys` (`id`) ON DELETE NO ACTION);
-- create index "question_survey_id_position" to table: "questions"
CREATE INDEX `question_survey_id_position` ON `questions` (`survey_id`, `position`);
-- create index "question_project_id" to table: "questions"
CREATE INDEX `question_project_id` ON `questions` (`project_id`);
-- create "responses" table
CREATE TABLE `responses` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `submitted_at` datetime NOT NULL, `respondent_name` text NULL, `respondent_email` text NULL, `project_id` text NOT NULL, `survey_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `responses_surveys_responses` FOREIGN KEY (`survey_id`) REFERENCES `surveys` (`id`) ON DELETE NO ACTION);
-- create index "response_survey_id_submitted_at" to table: "responses"
CREATE INDEX `response_survey_id_submitted_at` ON `responses` (`survey_id`, `submitted_at`);
-- create index "response_project_id" to table: "responses"
CREATE INDEX `response_project_id` ON `responses` (`project_id`);
-- create "sessions" table
CREATE TABLE `sessions` (`token` text NOT NULL, `data` blob NOT NULL, `expiry` datetime NOT NULL, PRIMARY KEY (`token`));
-- create index "session_expiry" to table: "sessions"
CREATE INDEX `session_expiry` ON `sessions` (`expiry`);
-- create "surveys" table
CREATE TABLE `surveys` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `title` text NOT NULL, `description` text NOT NULL DEFAULT (''), `status` text NOT NULL DEFAULT ('DRAFT'), `opens_at` datetime NULL, `closes_at` datetime NULL, `project_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `surveys_projects_surveys` FOREIGN KEY (`project_id`) REFERENCES `projects` (`id`) ON DELETE NO ACTION);
-- create index "survey_project_id" to table: "surveys"
CREATE INDEX `survey_project_id` ON `surveys` (`project_id`);
-- create "teams" table
CREATE TABLE `teams` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `restricted` bool NOT NULL DEFAULT (false), PRIMARY KEY (`id`));
-- create "team_memberships" table
CREATE TABLE `team_memberships` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `role` text NOT NULL, `team_id` text NOT NULL, `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `team_memberships_teams_memberships` FOREIGN KEY (`team_id`) REFERENCES `teams` (`id`) ON DELETE NO ACTION, CONSTRAINT `team_memberships_users_team_memberships` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- create index "teammembership_team_id_user_id" to table: "team_memberships"
CREATE UNIQUE INDEX `teammembership_team_id_user_id` ON `team_memberships` (`team_id`, `user_id`);
-- create index "teammembership_user_id" to table: "team_memberships"
CREATE INDEX `teammembership_user_id` ON `team_memberships` (`user_id`);
-- create "users" table
CREATE TABLE `users` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `email` text NOT NULL, `name` text NOT NULL, `role` text NOT NULL DEFAULT ('STAFF'), `api_access` bool NOT NULL DEFAULT (false), `active` bool NOT NULL DEFAULT (true), `password_hash` text NULL, PRIMARY KEY (`id`));
-- create index "users_email_key" to table: "users"
CREATE UNIQUE INDEX `users_email_key` ON `users` (`email`);
-- create "api_token_allowed_projects" table
CREATE TABLE `api_token_allowed_projects` (`api_token_id` text NOT NULL, `project_id` text NOT NULL, PRIMARY KEY (`api_token_id`, `project_id`), CONSTRAINT `api_token_allowed_projects_api_token_id` FOREIGN KEY (`api_token_id`) REFERENCES `api_tokens` (`id`) ON DELETE CASCADE, CONSTRAINT `api_token_allowed_projects_project_id` FOREIGN KEY (`project_id`) REFERENCES `projects` (`id`) ON DELETE CASCADE);
