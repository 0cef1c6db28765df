CREATE TYPE "public"."bulletin_audience" AS ENUM('all', 'imported_unreached');--> statement-breakpoint
CREATE TYPE "public"."import_state" AS ENUM('pending', 'imported', 'cancelled', 'expired');--> statement-breakpoint
CREATE TYPE "public"."join_source" AS ENUM('keyword', 'import');--> statement-breakpoint
CREATE TABLE "imports" (
	"id" serial PRIMARY KEY NOT NULL,
	"file_hash" text NOT NULL,
	"list_id" integer NOT NULL,
	"state" "import_state" DEFAULT 'pending' NOT NULL,
	"numbers" text[],
	"counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"requested_by" bigint NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"decided_by" bigint,
	"decided_at" timestamp with time zone,
	"imported" integer DEFAULT 0 NOT NULL,
	"notice_bulletin_id" integer
);
--> statement-breakpoint
ALTER TABLE "bulletins" ADD COLUMN "audience" "bulletin_audience" DEFAULT 'all' NOT NULL;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "source" "join_source" DEFAULT 'keyword' NOT NULL;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "import_id" integer;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_list_id_lists_id_fk" FOREIGN KEY ("list_id") REFERENCES "public"."lists"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_notice_bulletin_id_bulletins_id_fk" FOREIGN KEY ("notice_bulletin_id") REFERENCES "public"."bulletins"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "imports_pending_file" ON "imports" USING btree ("file_hash","list_id") WHERE "imports"."state" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "imports_done_file" ON "imports" USING btree ("file_hash","list_id") WHERE "imports"."state" = 'imported';--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE no action ON UPDATE no action;