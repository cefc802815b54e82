-- reverse: create index "response_survey_id_id" to table: "responses"
DROP INDEX "response_survey_id_id";
-- reverse: drop index "response_survey_id_id" from table: "responses"
CREATE INDEX "response_survey_id_id" ON "responses" ("survey_id", "id");
