CREATE TYPE "public"."outlet_name" AS ENUM('whatsapp', 'whatsapp_channel', 'telegram_channel', 'archive');--> statement-breakpoint
CREATE TYPE "public"."publication_state" AS ENUM('pending', 'posting', 'posted', 'failed', 'cancelled', 'revoked', 'revoke_failed');--> statement-breakpoint
CREATE TABLE "bulletin_outlets" (
	"bulletin_id" integer NOT NULL,
	"outlet" "outlet_name" NOT NULL,
	CONSTRAINT "bulletin_outlets_bulletin_id_outlet_pk" PRIMARY KEY("bulletin_id","outlet")
);
--> statement-breakpoint
ALTER TABLE "bulletin_outlets" ADD CONSTRAINT "bulletin_outlets_bulletin_id_bulletins_id_fk" FOREIGN KEY ("bulletin_id") REFERENCES "public"."bulletins"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Every bulletin so far went out through WhatsApp 1:1 only: nothing changes for them.
INSERT INTO "bulletin_outlets" ("bulletin_id", "outlet") SELECT "id", 'whatsapp' FROM "bulletins";--> statement-breakpoint
ALTER TABLE "bulletin_versions" ADD COLUMN "outlets" text[];--> statement-breakpoint
UPDATE "bulletin_versions" SET "outlets" = '{whatsapp}';--> statement-breakpoint
CREATE TABLE "publications" (
	"id" serial PRIMARY KEY NOT NULL,
	"bulletin_id" integer NOT NULL,
	"outlet" "outlet_name" NOT NULL,
	"state" "publication_state" DEFAULT 'pending' NOT NULL,
	"external_id" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"failure" text,
	"last_error" text,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"posted_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "publications" ADD CONSTRAINT "publications_bulletin_id_bulletins_id_fk" FOREIGN KEY ("bulletin_id") REFERENCES "public"."bulletins"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "publications_bulletin_outlet" ON "publications" USING btree ("bulletin_id","outlet");--> statement-breakpoint
CREATE INDEX "publications_open" ON "publications" USING btree ("next_attempt_at") WHERE "publications"."state" in ('pending', 'posting');--> statement-breakpoint
CREATE TABLE "outlet_health" (
	"outlet" "outlet_name" PRIMARY KEY NOT NULL,
	"ok" boolean NOT NULL,
	"detail" text NOT NULL,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- Wake the engines when publications are queued, and the staff status when one changes state.
-- Row-level on update: a statement trigger would fire for every claim that found nothing.
CREATE TRIGGER "publications_queued_notify" AFTER INSERT ON "publications"
FOR EACH STATEMENT EXECUTE FUNCTION "banditore_notify"('banditore_publications');
--> statement-breakpoint
CREATE TRIGGER "publications_state_notify" AFTER UPDATE ON "publications"
FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state)
EXECUTE FUNCTION "banditore_notify"('banditore_publications');
