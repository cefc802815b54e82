-- reverse: add column "description" to table: "api_tokens"
ALTER TABLE `api_tokens` DROP COLUMN `description`;
