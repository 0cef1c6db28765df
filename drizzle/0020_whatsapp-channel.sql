CREATE TYPE "public"."channel_request_kind" AS ENUM('create', 'adopt', 'refresh');--> statement-breakpoint
CREATE TYPE "public"."channel_request_state" AS ENUM('pending', 'done', 'failed');--> statement-breakpoint
CREATE TABLE "channel_requests" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" "channel_request_kind" NOT NULL,
	"argument" text,
	"actor_id" bigint NOT NULL,
	"state" "channel_request_state" DEFAULT 'pending' NOT NULL,
	"error" text,
	"staff_chat_id" bigint,
	"staff_message_id" integer,
	"answered_at" timestamp with time zone,
	"replied_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "channel_requests_pending" ON "channel_requests" USING btree ("id") WHERE "channel_requests"."state" = 'pending';--> statement-breakpoint
CREATE TABLE "whatsapp_channel" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"jid" text NOT NULL,
	"name" text NOT NULL,
	"invite_code" text,
	"role" text NOT NULL,
	"followers" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "whatsapp_channel_one_row" CHECK ("whatsapp_channel"."id" = 1)
);
--> statement-breakpoint
-- Wake the bridge when staff ask something of the Channel.
CREATE TRIGGER "channel_requests_notify" AFTER INSERT ON "channel_requests"
FOR EACH STATEMENT EXECUTE FUNCTION "banditore_notify"('banditore_channel_requests');
--> statement-breakpoint
-- Wake the staff bot when the bridge has answered, or its reply is known (the answer may come
-- first), so it edits that reply.
CREATE TRIGGER "channel_requests_answer_notify" AFTER UPDATE ON "channel_requests"
FOR EACH ROW
WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.staff_message_id IS DISTINCT FROM NEW.staff_message_id)
EXECUTE FUNCTION "banditore_notify"('banditore_channel_answers');
