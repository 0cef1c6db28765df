-- In flight is now a pending delivery under a live lease; 'in_flight' rows become pending with their lease kept.
UPDATE "deliveries" SET "state" = 'pending' WHERE "state" = 'in_flight';--> statement-breakpoint
DROP INDEX "deliveries_claimable";--> statement-breakpoint
CREATE INDEX "deliveries_claimable" ON "deliveries" USING btree ("bulletin_id","id") WHERE "deliveries"."state" = 'pending';--> statement-breakpoint
-- Room on each page for the claim's new row version, so claiming is a HOT update (no index writes).
ALTER TABLE "deliveries" SET (fillfactor = 50);
