-- WhatsApp Cloud API transport (WA_TRANSPORT=cloud). Webhook bodies as they came, verified and
-- not yet processed: deleted once processed (they hold numbers and texts).
CREATE TABLE "cloud_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"body" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TRIGGER "cloud_events_notify" AFTER INSERT ON "cloud_events"
FOR EACH STATEMENT EXECUTE FUNCTION "banditore_notify"('banditore_cloud_events');
--> statement-breakpoint
-- One row per delivery handed to the Cloud API: written before the call (in flight), the wamid
-- after it or from a status webhook (biz_opaque_callback_data carries the delivery id).
CREATE TABLE "cloud_sends" (
	"delivery_id" bigint PRIMARY KEY NOT NULL,
	"called_at" timestamp with time zone DEFAULT now() NOT NULL,
	"calls" integer DEFAULT 1 NOT NULL,
	"template" boolean DEFAULT false NOT NULL,
	"wamid" text,
	"status" smallint DEFAULT 0 NOT NULL,
	"status_at" timestamp with time zone,
	"error_code" integer,
	"possible_duplicate" boolean DEFAULT false NOT NULL,
	CONSTRAINT "cloud_sends_delivery_id_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."deliveries"("id") ON DELETE cascade ON UPDATE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX "cloud_sends_wamid" ON "cloud_sends" USING btree ("wamid");
--> statement-breakpoint
CREATE INDEX "cloud_sends_called_at" ON "cloud_sends" USING btree ("called_at");
--> statement-breakpoint
-- When each subscriber last wrote to us: inside 24 h a free-form message may go.
CREATE TABLE "cloud_windows" (
	"subscriber_id" integer PRIMARY KEY NOT NULL,
	"last_inbound_at" timestamp with time zone NOT NULL,
	CONSTRAINT "cloud_windows_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action
);
--> statement-breakpoint
-- A bulletin's media uploaded once to /{phone-number-id}/media (Meta keeps it 30 days).
CREATE TABLE "cloud_media" (
	"bulletin_id" integer PRIMARY KEY NOT NULL,
	"media_id" text NOT NULL,
	"uploaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cloud_media_bulletin_id_bulletins_id_fk" FOREIGN KEY ("bulletin_id") REFERENCES "public"."bulletins"("id") ON DELETE cascade ON UPDATE no action
);
