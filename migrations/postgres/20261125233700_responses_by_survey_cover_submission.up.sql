-- drop index "response_survey_id_id" from table: "responses"
DROP INDEX "response_survey_id_id";
-- create index "response_survey_id_id" to table: "responses"
CREATE INDEX "response_survey_id_id" ON "responses" ("survey_id", "id") INCLUDE ("submitted_at");
