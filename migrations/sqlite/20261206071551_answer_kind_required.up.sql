-- disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- create "new_answers" table
CREATE TABLE `new_answers` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `value` text NOT NULL, `question_kind` text NOT NULL, `number` real NULL, `rating` integer NULL, `date` date NULL, `choices` json NULL, `project_id` text NOT NULL, `question_id` text NOT NULL, `response_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `answers_questions_answers` FOREIGN KEY (`question_id`) REFERENCES `questions` (`id`) ON DELETE NO ACTION, CONSTRAINT `answers_responses_answers` FOREIGN KEY (`response_id`) REFERENCES `responses` (`id`) ON DELETE NO ACTION);
-- copy rows from old table "answers" to new temporary table "new_answers"
INSERT INTO `new_answers` (`id`, `created_at`, `updated_at`, `value`, `question_kind`, `number`, `rating`, `date`, `choices`, `project_id`, `question_id`, `response_id`) SELECT `id`, `created_at`, `updated_at`, `value`, `question_kind`, `number`, `rating`, `date`, `choices`, `project_id`, `question_id`, `response_id` FROM `answers`;
-- drop "answers" table after copying rows
DROP TABLE `answers`;
-- rename temporary table "new_answers" to "answers"
ALTER TABLE `new_answers` RENAME TO `answers`;
-- create index "answer_response_id_id" to table: "answers"
CREATE INDEX `answer_response_id_id` ON `answers` (`response_id`, `id`);
-- create index "answer_question_id_id" to table: "answers"
CREATE INDEX `answer_question_id_id` ON `answers` (`question_id`, `id`);
-- create index "answer_project_id" to table: "answers"
CREATE INDEX `answer_project_id` ON `answers` (`project_id`);
-- create index "answer_response_id_question_id" to table: "answers"
CREATE UNIQUE INDEX `answer_response_id_question_id` ON `answers` (`response_id`, `question_id`);
-- enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
