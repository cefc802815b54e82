-- create "teams" table
CREATE TABLE "teams" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "restricted" boolean NOT NULL DEFAULT false, PRIMARY KEY ("id"));
-- create "sessions" table
CREATE TABLE "sessions" ("token" character varying NOT NULL, "data" bytea NOT NULL, "expiry" timestamptz NOT NULL, PRIMARY KEY ("token"));
-- create index "session_expiry" to table: "sessions"
CREATE INDEX "session_expiry" ON "sessions" ("expiry");
-- create "projects" table
CREATE TABLE "projects" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "title" character varying NOT NULL, "slug" character varying NOT NULL, "summary" text NOT NULL DEFAULT '', "status" character varying NOT NULL DEFAULT 'DRAFT', "moderation" character varying NOT NULL DEFAULT 'PUBLISH_IMMEDIATELY', "team_id" character varying NULL, PRIMARY KEY ("id"), CONSTRAINT "projects_teams_projects" FOREIGN KEY ("team_id") REFERENCES "teams" ("id") ON UPDATE NO ACTION ON DELETE SET NULL);
-- create index "project_status" to table: "projects"
CREATE INDEX "project_status" ON "projects" ("status");
-- create index "project_team_id" to table: "projects"
CREATE INDEX "project_team_id" ON "projects" ("team_id");
-- create index "projects_slug_key" to table: "projects"
CREATE UNIQUE INDEX "projects_slug_key" ON "projects" ("slug");
-- create "surveys" table
CREATE TABLE "surveys" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "title" character varying NOT NULL, "description" text NOT NULL DEFAULT '', "status" character varying NOT NULL DEFAULT 'DRAFT', "opens_at" timestamptz NULL, "closes_at" timestamptz NULL, "project_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "surveys_projects_surveys" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "survey_project_id" to table: "surveys"
CREATE INDEX "survey_project_id" ON "surveys" ("project_id");
-- create "questions" table
CREATE TABLE "questions" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "position" bigint NOT NULL, "kind" character varying NOT NULL, "prompt" text NOT NULL, "required" boolean NOT NULL DEFAULT false, "options" jsonb NULL, "project_id" character varying NOT NULL, "survey_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "questions_surveys_questions" FOREIGN KEY ("survey_id") REFERENCES "surveys" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "question_project_id" to table: "questions"
CREATE INDEX "question_project_id" ON "questions" ("project_id");
-- create index "question_survey_id_position" to table: "questions"
CREATE INDEX "question_survey_id_position" ON "questions" ("survey_id", "position");
-- create "responses" table
CREATE TABLE "responses" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "submitted_at" timestamptz NOT NULL, "respondent_name" character varying NULL, "respondent_email" character varying NULL, "project_id" character varying NOT NULL, "survey_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "responses_surveys_responses" FOREIGN KEY ("survey_id") REFERENCES "surveys" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "response_project_id" to table: "responses"
CREATE INDEX "response_project_id" ON "responses" ("project_id");
-- create index "response_survey_id_submitted_at" to table: "responses"
CREATE INDEX "response_survey_id_submitted_at" ON "responses" ("survey_id", "submitted_at");
-- create "answers" table
CREATE TABLE "answers" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "value" text NOT NULL, "project_id" character varying NOT NULL, "question_id" character varying NOT NULL, "response_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "answers_questions_answers" FOREIGN KEY ("question_id") REFERENCES "questions" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "answers_responses_answers" FOREIGN KEY ("response_id") REFERENCES "responses" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "answer_project_id" to table: "answers"
CREATE INDEX "answer_project_id" ON "answers" ("project_id");
-- create index "answer_question_id" to table: "answers"
CREATE INDEX "answer_question_id" ON "answers" ("question_id");
-- create index "answer_response_id" to table: "answers"
CREATE INDEX "answer_response_id" ON "answers" ("response_id");
-- create "users" table
CREATE TABLE "users" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "email" character varying NOT NULL, "name" character varying NOT NULL, "role" character varying NOT NULL DEFAULT 'STAFF', "api_access" boolean NOT NULL DEFAULT false, "active" boolean NOT NULL DEFAULT true, "password_hash" character varying NULL, PRIMARY KEY ("id"));
-- create index "users_email_key" to table: "users"
CREATE UNIQUE INDEX "users_email_key" ON "users" ("email");
-- create "api_tokens" table
CREATE TABLE "api_tokens" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "prefix" character varying NOT NULL, "secret_hash" character varying NOT NULL, "read_only" boolean NOT NULL DEFAULT false, "expires_at" timestamptz NULL, "last_used_at" timestamptz NULL, "last_used_ip" character varying NULL, "use_count" bigint NOT NULL DEFAULT 0, "revoked_at" timestamptz NULL, "owner_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "api_tokens_users_api_tokens" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "api_tokens_secret_hash_key" to table: "api_tokens"
CREATE UNIQUE INDEX "api_tokens_secret_hash_key" ON "api_tokens" ("secret_hash");
-- create index "apitoken_owner_id" to table: "api_tokens"
CREATE INDEX "apitoken_owner_id" ON "api_tokens" ("owner_id");
-- create "api_token_allowed_projects" table
CREATE TABLE "api_token_allowed_projects" ("api_token_id" character varying NOT NULL, "project_id" character varying NOT NULL, PRIMARY KEY ("api_token_id", "project_id"), CONSTRAINT "api_token_allowed_projects_api_token_id" FOREIGN KEY ("api_token_id") REFERENCES "api_tokens" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "api_token_allowed_projects_project_id" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- create "audit_events" table
CREATE TABLE "audit_events" ("id" character varying NOT NULL, "action" character varying NOT NULL, "ip" character varying NULL, "created_at" timestamptz NOT NULL, "details" jsonb NULL, "token_id" character varying NULL, "actor_id" character varying NULL, PRIMARY KEY ("id"), CONSTRAINT "audit_events_api_tokens_audit_events" FOREIGN KEY ("token_id") REFERENCES "api_tokens" ("id") ON UPDATE NO ACTION ON DELETE SET NULL, CONSTRAINT "audit_events_users_actor" FOREIGN KEY ("actor_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE SET NULL);
-- create index "auditevent_actor_id" to table: "audit_events"
CREATE INDEX "auditevent_actor_id" ON "audit_events" ("actor_id");
-- create index "auditevent_created_at" to table: "audit_events"
CREATE INDEX "auditevent_created_at" ON "audit_events" ("created_at");
-- create index "auditevent_token_id" to table: "audit_events"
CREATE INDEX "auditevent_token_id" ON "audit_events" ("token_id");
-- create "maps" table
CREATE TABLE "maps" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "title" character varying NOT NULL, "center_latitude" double precision NOT NULL, "center_longitude" double precision NOT NULL, "zoom" bigint NOT NULL DEFAULT 12, "project_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "maps_projects_maps" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "projectmap_project_id" to table: "maps"
CREATE INDEX "projectmap_project_id" ON "maps" ("project_id");
-- create "pins" table
CREATE TABLE "pins" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "latitude" double precision NOT NULL, "longitude" double precision NOT NULL, "category" character varying NOT NULL DEFAULT '', "body" text NOT NULL, "author_name" character varying NOT NULL DEFAULT '', "author_email" character varying NULL, "status" character varying NOT NULL, "project_id" character varying NOT NULL, "map_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "pins_maps_pins" FOREIGN KEY ("map_id") REFERENCES "maps" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "pin_map_id_status" to table: "pins"
CREATE INDEX "pin_map_id_status" ON "pins" ("map_id", "status");
-- create index "pin_project_id_status" to table: "pins"
CREATE INDEX "pin_project_id_status" ON "pins" ("project_id", "status");
-- create "comments" table
CREATE TABLE "comments" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "body" text NOT NULL, "author_name" character varying NOT NULL DEFAULT '', "author_email" character varying NULL, "status" character varying NOT NULL, "project_id" character varying NOT NULL, "pin_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "comments_pins_comments" FOREIGN KEY ("pin_id") REFERENCES "pins" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "comment_pin_id_status" to table: "comments"
CREATE INDEX "comment_pin_id_status" ON "comments" ("pin_id", "status");
-- create index "comment_project_id_status" to table: "comments"
CREATE INDEX "comment_project_id_status" ON "comments" ("project_id", "status");
-- create "project_memberships" table
CREATE TABLE "project_memberships" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "role" character varying NOT NULL, "project_id" character varying NOT NULL, "user_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "project_memberships_projects_memberships" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "project_memberships_users_project_memberships" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "projectmembership_project_id_user_id" to table: "project_memberships"
CREATE UNIQUE INDEX "projectmembership_project_id_user_id" ON "project_memberships" ("project_id", "user_id");
-- create index "projectmembership_user_id" to table: "project_memberships"
CREATE INDEX "projectmembership_user_id" ON "project_memberships" ("user_id");
-- create "team_memberships" table
CREATE TABLE "team_memberships" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "role" character varying NOT NULL, "team_id" character varying NOT NULL, "user_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "team_memberships_teams_memberships" FOREIGN KEY ("team_id") REFERENCES "teams" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "team_memberships_users_team_memberships" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "teammembership_team_id_user_id" to table: "team_memberships"
CREATE UNIQUE INDEX "teammembership_team_id_user_id" ON "team_memberships" ("team_id", "user_id");
-- create index "teammembership_user_id" to table: "team_memberships"
CREATE INDEX "teammembership_user_id" ON "team_memberships" ("user_id");
