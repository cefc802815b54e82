-- reverse: modify "answers" table
ALTER TABLE "answers" DROP COLUMN "choices", DROP COLUMN "date", DROP COLUMN "rating", DROP COLUMN "number", DROP COLUMN "question_kind";
