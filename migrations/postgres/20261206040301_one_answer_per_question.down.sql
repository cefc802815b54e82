-- reverse: create index "answer_response_id_question_id" to table: "answers"
DROP INDEX "answer_response_id_question_id";
