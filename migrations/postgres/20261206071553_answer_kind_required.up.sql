-- modify "answers" table
ALTER TABLE "answers" ALTER COLUMN "question_kind" SET NOT NULL;
