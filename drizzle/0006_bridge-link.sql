ALTER TABLE "inbound_messages" ALTER COLUMN "handled_at" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "inbound_messages" ALTER COLUMN "handled_at" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "bridge_state" ADD COLUMN "qr" text;--> statement-breakpoint
ALTER TABLE "bridge_state" ADD COLUMN "qr_message_id" integer;--> statement-breakpoint
ALTER TABLE "inbound_messages" ADD COLUMN "pending" jsonb;--> statement-breakpoint
ALTER TABLE "inbound_messages" ADD COLUMN "received_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
CREATE INDEX "inbound_messages_pending" ON "inbound_messages" USING btree ("received_at") WHERE "inbound_messages"."handled_at" is null;--> statement-breakpoint
-- Wake the staff bot's QR message when the QR rotates or the link changes.
CREATE TRIGGER "bridge_state_link_notify" AFTER UPDATE ON "bridge_state"
FOR EACH ROW
WHEN (OLD.qr IS DISTINCT FROM NEW.qr OR OLD.link IS DISTINCT FROM NEW.link)
EXECUTE FUNCTION "banditore_notify"('banditore_link');
--> statement-breakpoint
-- A pause that learns its end time (a 463 followed by the time lock's answer) must wake the sender
-- too, or it would keep waiting on the pause it read before.
DROP TRIGGER "bridge_state_notify" ON "bridge_state";--> statement-breakpoint
CREATE TRIGGER "bridge_state_notify" AFTER UPDATE ON "bridge_state"
FOR EACH ROW
WHEN (OLD.paused_at IS DISTINCT FROM NEW.paused_at
   OR OLD.paused_until IS DISTINCT FROM NEW.paused_until
   OR OLD.pairing_requested_at IS DISTINCT FROM NEW.pairing_requested_at)
EXECUTE FUNCTION "banditore_notify"('banditore_control');
