-- reverse: add column "choices" to table: "answers"
ALTER TABLE `answers` DROP COLUMN `choices`;
-- reverse: add column "date" to table: "answers"
ALTER TABLE `answers` DROP COLUMN `date`;
-- reverse: add column "rating" to table: "answers"
ALTER TABLE `answers` DROP COLUMN `rating`;
-- reverse: add column "number" to table: "answers"
ALTER TABLE `answers` DROP COLUMN `number`;
-- reverse: add column "question_kind" to table: "answers"
ALTER TABLE `answers` DROP COLUMN `question_kind`;
