-- reverse: modify "api_tokens" table
ALTER TABLE "api_tokens" DROP COLUMN "description";
