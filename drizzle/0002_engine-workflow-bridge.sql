ALTER TYPE "public"."bulletin_state" ADD VALUE 'stopped';--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_id" bigint,
	"action" text NOT NULL,
	"bulletin_id" integer,
	"version" integer,
	"hash" text,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "auto_replies" (
	"sender_hash" text PRIMARY KEY NOT NULL,
	"replied_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bridge_state" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"link" text DEFAULT 'connecting' NOT NULL,
	"link_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"linked_number" text,
	"linked_at" timestamp with time zone,
	"last_sent_at" timestamp with time zone,
	"paused_at" timestamp with time zone,
	"pause_reason" text,
	"pause_signal" text,
	"paused_until" timestamp with time zone,
	"pairing_number" text,
	"pairing_requested_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bridge_state_one_row" CHECK ("bridge_state"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "bulletin_versions" (
	"bulletin_id" integer NOT NULL,
	"version" integer NOT NULL,
	"text" text NOT NULL,
	"media_id" integer,
	"category" text,
	"hash" text NOT NULL,
	"author_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bulletin_versions_bulletin_id_version_pk" PRIMARY KEY("bulletin_id","version")
);
--> statement-breakpoint
CREATE TABLE "media" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"mime_type" text NOT NULL,
	"file_name" text,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"data" "bytea" NOT NULL,
	"telegram_file_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "receipts" (
	"delivery_id" bigint PRIMARY KEY NOT NULL,
	"status" smallint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "subscription_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"list_id" integer NOT NULL,
	"kind" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "subscribers" DROP CONSTRAINT "subscribers_some_address";--> statement-breakpoint
DROP INDEX "deliveries_claimable";--> statement-breakpoint
ALTER TABLE "bulletins" ADD COLUMN "media_id" integer;--> statement-breakpoint
ALTER TABLE "bulletins" ADD COLUMN "category" text;--> statement-breakpoint
ALTER TABLE "bulletins" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "bulletins" ADD COLUMN "approved_version" integer;--> statement-breakpoint
ALTER TABLE "bulletins" ADD COLUMN "approved_hash" text;--> statement-breakpoint
ALTER TABLE "bulletins" ADD COLUMN "reject_reason" text;--> statement-breakpoint
ALTER TABLE "bulletins" ADD COLUMN "urgent" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "bulletins" ADD COLUMN "send_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "bulletins" ADD COLUMN "paused_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "bulletins" ADD COLUMN "started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "bulletins" ADD COLUMN "finished_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "bulletins" ADD COLUMN "revoke_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "bulletins" ADD COLUMN "revoked_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "bulletins" ADD COLUMN "status_message_id" integer;--> statement-breakpoint
ALTER TABLE "bulletins" ADD COLUMN "server_acks" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "bulletins" ADD COLUMN "delivered" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "bulletins" ADD COLUMN "read" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "priority" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "failure" text;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "revoked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "wa_checked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "not_on_whatsapp_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "erased_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_bulletin_id_bulletins_id_fk" FOREIGN KEY ("bulletin_id") REFERENCES "public"."bulletins"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulletin_versions" ADD CONSTRAINT "bulletin_versions_bulletin_id_bulletins_id_fk" FOREIGN KEY ("bulletin_id") REFERENCES "public"."bulletins"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulletin_versions" ADD CONSTRAINT "bulletin_versions_media_id_media_id_fk" FOREIGN KEY ("media_id") REFERENCES "public"."media"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "receipts" ADD CONSTRAINT "receipts_delivery_id_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."deliveries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscription_events" ADD CONSTRAINT "subscription_events_list_id_lists_id_fk" FOREIGN KEY ("list_id") REFERENCES "public"."lists"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_bulletin" ON "audit_log" USING btree ("bulletin_id");--> statement-breakpoint
CREATE INDEX "receipts_updated_at" ON "receipts" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "subscription_events_at" ON "subscription_events" USING btree ("at");--> statement-breakpoint
ALTER TABLE "bulletins" ADD CONSTRAINT "bulletins_media_id_media_id_fk" FOREIGN KEY ("media_id") REFERENCES "public"."media"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "deliveries_sent_at" ON "deliveries" USING btree ("sent_at") WHERE "deliveries"."sent_at" is not null;--> statement-breakpoint
CREATE INDEX "deliveries_claimable" ON "deliveries" USING btree ("priority" DESC NULLS LAST,"id") WHERE "deliveries"."state" in ('pending', 'in_flight');--> statement-breakpoint
ALTER TABLE "subscribers" ADD CONSTRAINT "subscribers_some_address" CHECK ("subscribers"."phone_jid" is not null or "subscribers"."lid" is not null or "subscribers"."erased_at" is not null);