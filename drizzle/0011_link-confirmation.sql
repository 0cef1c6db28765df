ALTER TABLE "bridge_state" ADD COLUMN "unconfirmed_number" text;--> statement-breakpoint
ALTER TABLE "bridge_state" ADD COLUMN "unconfirmed_since" timestamp with time zone;--> statement-breakpoint
-- A confirmed (or re-linked) number must wake the sender, as a resumed pause does.
DROP TRIGGER "bridge_state_notify" ON "bridge_state";--> statement-breakpoint
CREATE TRIGGER "bridge_state_notify" AFTER UPDATE ON "bridge_state"
FOR EACH ROW
WHEN (OLD.paused_at IS DISTINCT FROM NEW.paused_at
   OR OLD.paused_until IS DISTINCT FROM NEW.paused_until
   OR OLD.pairing_requested_at IS DISTINCT FROM NEW.pairing_requested_at
   OR OLD.unconfirmed_number IS DISTINCT FROM NEW.unconfirmed_number)
EXECUTE FUNCTION "banditore_notify"('banditore_control');
