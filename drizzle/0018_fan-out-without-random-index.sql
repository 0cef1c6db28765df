-- Fan-out writes no random index entry per row: new deliveries leave message_id empty, their id is
-- derived from (bulletin, subscriber) and decodes back to them (src/core/message-id.ts). Rows
-- queued before keep the id they stored, still found through this (now partial) index.
ALTER TABLE "deliveries" ALTER COLUMN "message_id" DROP NOT NULL;--> statement-breakpoint
DROP INDEX "deliveries_message_id";--> statement-breakpoint
CREATE UNIQUE INDEX "deliveries_message_id" ON "deliveries" USING btree ("message_id") WHERE "deliveries"."message_id" IS NOT NULL;--> statement-breakpoint
-- A foreign key checks (and locks) the referenced row once per inserted row: 200,000 checks for a
-- fan-out that selects those very rows. Bulletins and subscribers are never deleted (erasure
-- blanks a subscriber), so the keys go; should one ever be deleted, its deliveries go with it.
ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_bulletin_id_bulletins_id_fk";--> statement-breakpoint
ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_subscriber_id_subscribers_id_fk";--> statement-breakpoint
CREATE FUNCTION "banditore_deliveries_cascade"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'bulletins' THEN
    DELETE FROM deliveries d USING gone g WHERE d.bulletin_id = g.id;
  ELSE
    DELETE FROM deliveries d USING gone g WHERE d.subscriber_id = g.id;
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "bulletins_deliveries_cascade" AFTER DELETE ON "bulletins"
REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION "banditore_deliveries_cascade"();--> statement-breakpoint
CREATE TRIGGER "subscribers_deliveries_cascade" AFTER DELETE ON "subscribers"
REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION "banditore_deliveries_cascade"();--> statement-breakpoint
-- Progress for the staff group's status messages: a batch claimed or marked (one notification per
-- statement), and a bulletin's counts or state moving (receipts, completion).
CREATE TRIGGER "deliveries_progress_notify" AFTER UPDATE ON "deliveries"
FOR EACH STATEMENT EXECUTE FUNCTION "banditore_notify"('banditore_progress');--> statement-breakpoint
CREATE TRIGGER "bulletins_progress_notify" AFTER UPDATE ON "bulletins"
FOR EACH ROW
WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.server_acks <> NEW.server_acks
   OR OLD.delivered <> NEW.delivered OR OLD.read <> NEW.read
   OR OLD.paused_at IS DISTINCT FROM NEW.paused_at OR OLD.send_at IS DISTINCT FROM NEW.send_at
   OR OLD.revoke_requested_at IS DISTINCT FROM NEW.revoke_requested_at
   OR OLD.revoke_done_at IS DISTINCT FROM NEW.revoke_done_at)
EXECUTE FUNCTION "banditore_notify"('banditore_progress');
