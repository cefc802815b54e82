-- reverse: create index "answer_response_id_question_id" to table: "answers"
DROP INDEX `answer_response_id_question_id`;
-- reverse: create index "answer_project_id" to table: "answers"
DROP INDEX `answer_project_id`;
-- reverse: create index "answer_question_id_id" to table: "answers"
DROP INDEX `answer_question_id_id`;
-- reverse: create index "answer_response_id_id" to table: "answers"
DROP INDEX `answer_response_id_id`;
-- reverse: create "new_answers" table
DROP TABLE `new_answers`;
