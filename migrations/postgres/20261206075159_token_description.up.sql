-- modify "api_tokens" table
ALTER TABLE "api_tokens" ADD COLUMN "description" character varying NULL;
