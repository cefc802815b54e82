-- reverse: modify "answers" table
ALTER TABLE "answers" ALTER COLUMN "question_kind" DROP NOT NULL;
