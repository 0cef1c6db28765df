CREATE TABLE "archive_entries" (
	"bulletin_id" integer PRIMARY KEY NOT NULL,
	"version" integer NOT NULL,
	"code" text NOT NULL,
	"category" text,
	"urgent" boolean DEFAULT false NOT NULL,
	"body" jsonb NOT NULL,
	"approved_at" timestamp with time zone NOT NULL,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL,
	"media_kind" text,
	"media_mime_type" text,
	"media_file_name" text,
	"media_sha256" text,
	"media_size" integer,
	"withdrawn_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "archive_entries" ADD CONSTRAINT "archive_entries_bulletin_id_bulletins_id_fk" FOREIGN KEY ("bulletin_id") REFERENCES "public"."bulletins"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "archive_entries_published" ON "archive_entries" USING btree ("published_at" DESC NULLS LAST) WHERE "archive_entries"."withdrawn_at" is null;
--> statement-breakpoint
CREATE INDEX "archive_entries_media" ON "archive_entries" USING btree ("media_sha256") WHERE "archive_entries"."media_sha256" is not null;
