CREATE TYPE "public"."reply_state" AS ENUM('owed', 'sent', 'dropped');--> statement-breakpoint
CREATE TABLE "replies" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"sender_key" text,
	"reply_key" text,
	"state" "reply_state" DEFAULT 'owed' NOT NULL,
	"jid" text,
	"text" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "secrets" (
	"name" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "inbound_messages" ADD COLUMN "seq" bigserial NOT NULL;--> statement-breakpoint
CREATE INDEX "replies_owed" ON "replies" USING btree ("id") WHERE "replies"."state" = 'owed';--> statement-breakpoint
CREATE INDEX "replies_sender" ON "replies" USING btree ("sender_key","created_at");--> statement-breakpoint
CREATE INDEX "replies_reply" ON "replies" USING btree ("reply_key","created_at");--> statement-breakpoint
CREATE INDEX "replies_sent_at" ON "replies" USING btree ("sent_at");--> statement-breakpoint
CREATE INDEX "inbound_messages_unanswered" ON "inbound_messages" USING btree ("seq") WHERE "inbound_messages"."handled_at" is null;--> statement-breakpoint
-- Unsalted hashes of senders' jids, written before the reply budget: forgotten now (at worst a
-- process of the older release answers someone once more during a rolling deploy).
DELETE FROM "auto_replies";
