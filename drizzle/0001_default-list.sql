-- The default list a plain "Iscrizione" joins.
INSERT INTO "lists" ("slug", "name", "description", "is_default")
VALUES ('notizie', 'Notizie del Comune', 'Avvisi e notizie ufficiali del Comune', true)
ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- Wake the sender and the staff poster once per statement; Postgres folds identical
-- notifications of one transaction into one.
CREATE FUNCTION "banditore_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(TG_ARGV[0], '');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "deliveries_notify" AFTER INSERT ON "deliveries"
FOR EACH STATEMENT EXECUTE FUNCTION "banditore_notify"('banditore_deliveries');
--> statement-breakpoint
CREATE TRIGGER "staff_notices_notify" AFTER INSERT ON "staff_notices"
FOR EACH STATEMENT EXECUTE FUNCTION "banditore_notify"('banditore_staff_notices');
