CREATE TABLE "secrets" (
	"name" text PRIMARY KEY NOT NULL,
	"value" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- Made once, at the first start that applies this migration: 366 bits of pg_strong_random (three
-- v4 UUIDs; pgcrypto's gen_random_bytes is not in PGlite) folded into 32 bytes.
INSERT INTO "secrets" ("name", "value")
VALUES ('message_id', sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')))
ON CONFLICT DO NOTHING;
