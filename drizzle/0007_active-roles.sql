CREATE TYPE "public"."process_role" AS ENUM('bot', 'bridge');--> statement-breakpoint
CREATE TABLE "active_roles" (
	"role" "process_role" PRIMARY KEY NOT NULL,
	"machine" text NOT NULL,
	"pid" integer NOT NULL,
	"since" timestamp with time zone DEFAULT now() NOT NULL
);
