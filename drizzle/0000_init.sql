CREATE TYPE "public"."bulletin_state" AS ENUM('pending', 'approved', 'sending', 'sent', 'rejected', 'withdrawn');--> statement-breakpoint
CREATE TYPE "public"."delivery_state" AS ENUM('pending', 'in_flight', 'sent', 'failed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."staff_role" AS ENUM('redattore', 'approvatore', 'amministratore');--> statement-breakpoint
CREATE TABLE "bulletin_lists" (
	"bulletin_id" integer NOT NULL,
	"list_id" integer NOT NULL,
	CONSTRAINT "bulletin_lists_bulletin_id_list_id_pk" PRIMARY KEY("bulletin_id","list_id")
);
--> statement-breakpoint
CREATE TABLE "bulletins" (
	"id" serial PRIMARY KEY NOT NULL,
	"state" "bulletin_state" DEFAULT 'pending' NOT NULL,
	"text" text NOT NULL,
	"author_id" bigint NOT NULL,
	"decided_by" bigint,
	"decided_at" timestamp with time zone,
	"preview_message_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"bulletin_id" integer NOT NULL,
	"subscriber_id" integer NOT NULL,
	"state" "delivery_state" DEFAULT 'pending' NOT NULL,
	"message_id" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"available_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_token" uuid,
	"lease_until" timestamp with time zone,
	"last_error" text,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inbound_messages" (
	"message_id" text PRIMARY KEY NOT NULL,
	"handled_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lists" (
	"id" serial PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lists_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "staff_members" (
	"telegram_id" bigint PRIMARY KEY NOT NULL,
	"role" "staff_role" NOT NULL,
	"granted_by" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staff_notices" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"posted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "subscribers" (
	"id" serial PRIMARY KEY NOT NULL,
	"phone_jid" text,
	"lid" text,
	"push_name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "subscribers_phoneJid_unique" UNIQUE("phone_jid"),
	CONSTRAINT "subscribers_lid_unique" UNIQUE("lid"),
	CONSTRAINT "subscribers_some_address" CHECK ("subscribers"."phone_jid" is not null or "subscribers"."lid" is not null)
);
--> statement-breakpoint
CREATE TABLE "subscriptions" (
	"subscriber_id" integer NOT NULL,
	"list_id" integer NOT NULL,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	"left_at" timestamp with time zone,
	"opt_in_message_id" text,
	"privacy_version" text,
	CONSTRAINT "subscriptions_subscriber_id_list_id_pk" PRIMARY KEY("subscriber_id","list_id")
);
--> statement-breakpoint
CREATE TABLE "wa_auth" (
	"type" text NOT NULL,
	"id" text NOT NULL,
	"value" text NOT NULL,
	CONSTRAINT "wa_auth_type_id_pk" PRIMARY KEY("type","id")
);
--> statement-breakpoint
ALTER TABLE "bulletin_lists" ADD CONSTRAINT "bulletin_lists_bulletin_id_bulletins_id_fk" FOREIGN KEY ("bulletin_id") REFERENCES "public"."bulletins"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulletin_lists" ADD CONSTRAINT "bulletin_lists_list_id_lists_id_fk" FOREIGN KEY ("list_id") REFERENCES "public"."lists"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_bulletin_id_bulletins_id_fk" FOREIGN KEY ("bulletin_id") REFERENCES "public"."bulletins"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_list_id_lists_id_fk" FOREIGN KEY ("list_id") REFERENCES "public"."lists"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "deliveries_bulletin_subscriber" ON "deliveries" USING btree ("bulletin_id","subscriber_id");--> statement-breakpoint
CREATE UNIQUE INDEX "deliveries_message_id" ON "deliveries" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "deliveries_claimable" ON "deliveries" USING btree ("id") WHERE "deliveries"."state" in ('pending', 'in_flight');--> statement-breakpoint
CREATE UNIQUE INDEX "lists_one_default" ON "lists" USING btree ("is_default") WHERE "lists"."is_default";--> statement-breakpoint
CREATE INDEX "staff_notices_unposted" ON "staff_notices" USING btree ("id") WHERE "staff_notices"."posted_at" is null;--> statement-breakpoint
CREATE INDEX "subscriptions_active" ON "subscriptions" USING btree ("list_id") WHERE "subscriptions"."left_at" is null;