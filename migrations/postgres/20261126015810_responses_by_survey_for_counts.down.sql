-- reverse: create index "response_survey_id" to table: "responses"
DROP INDEX "response_survey_id";
