-- The bridge's one state row.
INSERT INTO "bridge_state" ("id") VALUES (1) ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- Wake the bridge when staff pause or resume the queue or ask for a pairing code.
CREATE TRIGGER "bridge_state_notify" AFTER UPDATE ON "bridge_state"
FOR EACH ROW
WHEN (OLD.paused_at IS DISTINCT FROM NEW.paused_at OR OLD.pairing_requested_at IS DISTINCT FROM NEW.pairing_requested_at)
EXECUTE FUNCTION "banditore_notify"('banditore_control');
--> statement-breakpoint
-- Wake the sender when a bulletin is approved, resumed or withdrawn for everyone. Row-level, but
-- Postgres folds identical notifications of one transaction into one.
CREATE TRIGGER "bulletins_notify" AFTER UPDATE ON "bulletins"
FOR EACH ROW
WHEN (OLD.paused_at IS DISTINCT FROM NEW.paused_at
   OR OLD.revoke_requested_at IS DISTINCT FROM NEW.revoke_requested_at
   OR OLD.state IS DISTINCT FROM NEW.state AND NEW.state = 'approved')
EXECUTE FUNCTION "banditore_notify"('banditore_deliveries');
