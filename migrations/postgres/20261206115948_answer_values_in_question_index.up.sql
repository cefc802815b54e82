-- drop index "answer_question_id_id" from table: "answers"
DROP INDEX "answer_question_id_id";
-- create index "answer_question_id_id" to table: "answers"
CREATE INDEX "answer_question_id_id" ON "answers" ("question_id", "id") INCLUDE ("number", "rating", "choices");
