-- add column "description" to table: "api_tokens"
ALTER TABLE `api_tokens` ADD COLUMN `description` text NULL;
