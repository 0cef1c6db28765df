ALTER TABLE "bridge_state" ADD COLUMN "qr" text;--> statement-breakpoint
ALTER TABLE "bridge_state" ADD COLUMN "qr_message_id" integer;--> statement-breakpoint
-- Wake the staff bot's QR message when the QR rotates or the link changes.
CREATE TRIGGER "bridge_state_link_notify" AFTER UPDATE ON "bridge_state"
FOR EACH ROW
WHEN (OLD.qr IS DISTINCT FROM NEW.qr OR OLD.link IS DISTINCT FROM NEW.link)
EXECUTE FUNCTION "banditore_notify"('banditore_link');
