-- add column "question_kind" to table: "answers"
ALTER TABLE `answers` ADD COLUMN `question_kind` text NULL;
-- add column "number" to table: "answers"
ALTER TABLE `answers` ADD COLUMN `number` real NULL;
-- add column "rating" to table: "answers"
ALTER TABLE `answers` ADD COLUMN `rating` integer NULL;
-- add column "date" to table: "answers"
ALTER TABLE `answers` ADD COLUMN `date` date NULL;
-- add column "choices" to table: "answers"
ALTER TABLE `answers` ADD COLUMN `choices` json NULL;
-- Written by hand: type the answers written before this migration, as
-- answer.Parse does, from their value and their question's kind. A value
-- that does not fit its question (only answers written before answers were
-- validated) keeps no typed value. Dates are written as the SQLite driver
-- writes a time (time.Time.String), so that filters compare them as text.
-- ent stores JSON as a BLOB, which SQLite's JSON functions may read as
-- their binary JSONB: options are read as text.
UPDATE `answers` SET `question_kind` = (SELECT `kind` FROM `questions` WHERE `questions`.`id` = `answers`.`question_id`);
UPDATE `answers` SET `rating` = CAST(`value` AS INTEGER)
WHERE `question_kind` = 'RATING' AND `value` IN ('1', '2', '3', '4', '5');
-- A decimal number: an optional minus, digits, at most one point with
-- digits on both sides; within a double's range.
UPDATE `answers` SET `number` = CAST(`value` AS REAL)
WHERE `question_kind` = 'NUMBER' AND `value` NOT GLOB '--*'
  AND ltrim(`value`, '-') GLOB '[0-9]*' AND ltrim(`value`, '-') GLOB '*[0-9]'
  AND ltrim(`value`, '-') NOT GLOB '*[^0-9.]*' AND `value` NOT GLOB '*.*.*'
  AND abs(CAST(`value` AS REAL)) <= 1.7976931348623157e308;
-- date() turns a day past the end of its month into the next month's.
UPDATE `answers` SET `date` = `value` || ' 00:00:00 +0000 UTC'
WHERE `question_kind` = 'DATE' AND `value` GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
  AND substr(`value`, 1, 4) <> '0000' AND date(`value`) = `value`;
UPDATE `answers` SET `choices` = json_array(`value`)
WHERE `question_kind` = 'SINGLE_CHOICE'
  AND `value` IN (SELECT `o`.`value` FROM `questions`, json_each(CAST(`questions`.`options` AS TEXT)) AS `o` WHERE `questions`.`id` = `answers`.`question_id`);
-- The options that are lines of the value, in the order of the lines; kept
-- when they are all the lines.
UPDATE `answers` SET `choices` = (
  SELECT json_group_array(DISTINCT `o`.`value` ORDER BY instr(char(10) || `answers`.`value` || char(10), char(10) || `o`.`value` || char(10)))
  FROM `questions`, json_each(CAST(`questions`.`options` AS TEXT)) AS `o`
  WHERE `questions`.`id` = `answers`.`question_id` AND instr(char(10) || `answers`.`value` || char(10), char(10) || `o`.`value` || char(10)) > 0)
WHERE `question_kind` = 'MULTIPLE_CHOICE';
UPDATE `answers` SET `choices` = NULL
WHERE `question_kind` = 'MULTIPLE_CHOICE' AND json_array_length(`choices`) <> length(`value`) - length(replace(`value`, char(10), '')) + 1;
