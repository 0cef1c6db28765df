CREATE TYPE "public"."hash_scheme" AS ENUM('whatsapp_text', 'body');--> statement-breakpoint
ALTER TABLE "bulletins" ADD COLUMN "body" jsonb;--> statement-breakpoint
UPDATE "bulletins" SET "body" = jsonb_build_object('text', "text", 'entities', '[]'::jsonb);--> statement-breakpoint
ALTER TABLE "bulletins" ALTER COLUMN "body" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "bulletin_versions" ADD COLUMN "body" jsonb;--> statement-breakpoint
UPDATE "bulletin_versions" SET "body" = jsonb_build_object('text', "text", 'entities', '[]'::jsonb);--> statement-breakpoint
ALTER TABLE "bulletin_versions" ALTER COLUMN "body" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "bulletin_versions" ADD COLUMN "hash_scheme" "hash_scheme" DEFAULT 'whatsapp_text' NOT NULL;--> statement-breakpoint
ALTER TABLE "bulletin_versions" ALTER COLUMN "hash_scheme" DROP DEFAULT;
