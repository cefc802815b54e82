-- modify "answers" table
ALTER TABLE "answers" ADD COLUMN "question_kind" character varying NULL, ADD COLUMN "number" double precision NULL, ADD COLUMN "rating" bigint NULL, ADD COLUMN "date" date NULL, ADD COLUMN "choices" jsonb NULL;
-- Written by hand: type the answers written before this migration, as
-- answer.Parse does, from their value and their question's kind. A value
-- that does not fit its question (only answers written before answers were
-- validated) keeps no typed value. CASE guards each cast: PostgreSQL does
-- not promise to test the conditions of a WHERE in their order.
UPDATE "answers" SET "question_kind" = "questions"."kind" FROM "questions" WHERE "questions"."id" = "answers"."question_id";
UPDATE "answers" SET "rating" = CAST("value" AS bigint)
WHERE "question_kind" = 'RATING' AND "value" IN ('1', '2', '3', '4', '5');
-- A decimal number within a double's range; a number of more than 1,000
-- characters, or closer to 0 than 1e-307 but for 0, is left untyped.
UPDATE "answers" SET "number" = CAST(CAST("value" AS numeric) AS double precision)
WHERE "question_kind" = 'NUMBER' AND CASE WHEN "value" ~ '^-?[0-9]+(\.[0-9]+)?$' AND length("value") <= 1000
  THEN abs(CAST("value" AS numeric)) = 0 OR abs(CAST("value" AS numeric)) BETWEEN 1e-307 AND 1.7976931348623157e308
  ELSE false END;
UPDATE "answers" SET "date" = CAST("value" AS date)
WHERE "question_kind" = 'DATE' AND CASE WHEN "value" ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' AND substr("value", 1, 4) <> '0000'
  THEN CAST(substr("value", 9, 2) AS int) <= extract(day FROM make_date(CAST(substr("value", 1, 4) AS int), CAST(substr("value", 6, 2) AS int), 1) + interval '1 month - 1 day')
  ELSE false END;
UPDATE "answers" SET "choices" = jsonb_build_array("value")
WHERE "question_kind" = 'SINGLE_CHOICE'
  AND (SELECT "options" FROM "questions" WHERE "questions"."id" = "answers"."question_id") @> jsonb_build_array("value");
-- Every line one of the options, and no line twice.
UPDATE "answers" SET "choices" = to_jsonb(regexp_split_to_array("value", E'\n'))
WHERE "question_kind" = 'MULTIPLE_CHOICE'
  AND (SELECT "options" FROM "questions" WHERE "questions"."id" = "answers"."question_id") @> to_jsonb(regexp_split_to_array("value", E'\n'))
  AND (SELECT count(DISTINCT "line") FROM unnest(regexp_split_to_array("value", E'\n')) AS "line") = cardinality(regexp_split_to_array("value", E'\n'));
