-- Written by hand: keep one answer per question in a response, the last
-- written (latest updated_at, then greatest id), so that the unique index
-- below can be created on data written before the API refused duplicates.
DELETE FROM "answers" WHERE EXISTS (SELECT 1 FROM "answers" AS "newer" WHERE "newer"."response_id" = "answers"."response_id" AND "newer"."question_id" = "answers"."question_id" AND ("newer"."updated_at" > "answers"."updated_at" OR ("newer"."updated_at" = "answers"."updated_at" AND "newer"."id" > "answers"."id")));
-- create index "answer_response_id_question_id" to table: "answers"
CREATE UNIQUE INDEX "answer_response_id_question_id" ON "answers" ("response_id", "question_id");
