-- create index "response_survey_id" to table: "responses"
CREATE INDEX "response_survey_id" ON "responses" ("survey_id");
