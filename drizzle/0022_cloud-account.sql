-- Cloud API: the messaging-limit tier Meta last reported by webhook (phone_number_quality_update).
CREATE TABLE "cloud_account" (
	"id" smallint PRIMARY KEY NOT NULL,
	"messaging_limit" integer,
	"tier" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cloud_account_one_row" CHECK ("cloud_account"."id" = 1)
);
