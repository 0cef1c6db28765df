-- Wake the senders when a reply to a citizen is queued. The process that queues it wakes its own
-- sender directly, but another one may queue it (a second bridge taking over from one that hangs,
-- two processes during a deploy): without this, that sender slept until its slow poll (10 min).
CREATE TRIGGER "replies_notify" AFTER INSERT ON "replies"
FOR EACH STATEMENT EXECUTE FUNCTION "banditore_notify"('banditore_replies');
