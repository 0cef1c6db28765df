-- A withdrawal (Ritira) has its own channel, so the sender looks for messages to delete when one
-- is asked for, not on every approval (banditore_deliveries still carries it for other listeners).
CREATE TRIGGER "bulletins_revoke_notify" AFTER UPDATE ON "bulletins"
FOR EACH ROW
WHEN (OLD.revoke_requested_at IS DISTINCT FROM NEW.revoke_requested_at)
EXECUTE FUNCTION "banditore_notify"('banditore_revocations');--> statement-breakpoint
-- The claim of a batch (src/core/outbox.ts): due deliveries of sending, unpaused bulletins, urgent
-- first, under one lease token, in one round trip. Bitmap scans are off for it alone: right after
-- a fan-out the statistics say almost nothing is pending, and Postgres then picks a bitmap scan,
-- which reads every pending row of the bulletin (100,000 index entries) to claim 500; an index
-- scan of deliveries_claimable stops at the limit.
CREATE FUNCTION "banditore_claim_deliveries"(max_rows integer, lease_seconds integer, token uuid)
RETURNS TABLE (id bigint, bulletin_id integer, subscriber_id integer, message_id text, attempts integer,
               phone_jid text, lid text, wa_checked boolean)
LANGUAGE sql VOLATILE
SET enable_bitmapscan = off
AS $$
  WITH due AS (
    SELECT c.id FROM bulletins b
    CROSS JOIN LATERAL (
      SELECT d.id FROM deliveries d
      WHERE d.bulletin_id = b.id AND d.state = 'pending' AND d.available_at <= now()
        AND (d.lease_until IS NULL OR d.lease_until < now())
      LIMIT max_rows
      FOR UPDATE OF d SKIP LOCKED
    ) c
    WHERE b.state = 'sending' AND b.paused_at IS NULL
    ORDER BY b.urgent DESC, b.id
    LIMIT max_rows
  )
  UPDATE deliveries d
  SET lease_token = token,
      lease_until = now() + make_interval(secs => lease_seconds), attempts = d.attempts + 1
  FROM due, subscribers s
  WHERE d.id = due.id AND s.id = d.subscriber_id
  RETURNING d.id, d.bulletin_id, d.subscriber_id, d.message_id, d.attempts, s.phone_jid, s.lid,
            s.wa_checked_at IS NOT NULL
$$;
