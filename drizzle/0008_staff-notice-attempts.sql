ALTER TABLE "staff_notices" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "staff_notices" ADD COLUMN "skipped_at" timestamp with time zone;