ALTER TABLE "bulletin_versions" ADD COLUMN "list_ids" integer[];--> statement-breakpoint
-- The current version of each bulletin goes to the lists it targets now; older versions' lists are unknown.
UPDATE "bulletin_versions" v SET "list_ids" = l.ids
FROM "bulletins" b,
  (SELECT "bulletin_id", array_agg("list_id" ORDER BY "list_id") AS ids FROM "bulletin_lists" GROUP BY "bulletin_id") l
WHERE v."bulletin_id" = b."id" AND v."version" = b."version" AND l."bulletin_id" = b."id";
