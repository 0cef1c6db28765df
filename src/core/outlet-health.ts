import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { outletHealth } from '../db/schema.js';
import { inOutletOrder } from './bulletin-outlets.js';
import { MAX_DETAIL, type OutletFailure, type OutletHealth, type OutletName } from './outlets.js';

// An outlet's health (`outlet_health`, one row per broadcast outlet): written by the engine that
// runs the outlet, at its start and every minute (the outlet's own check), and after each of its
// posts (what actually happened). /stato reads it in whichever process runs the bot.

/** Writes an outlet's last health check, so /stato in any process can show it. */
export async function recordOutletHealth(
  db: Queryable,
  outlet: OutletName,
  health: OutletHealth,
): Promise<void> {
  const values = { outlet, ok: health.ok, detail: health.detail.slice(0, MAX_DETAIL), checkedAt: sql`now()` };
  await db
    .insert(outletHealth)
    .values(values)
    .onConflictDoUpdate({
      target: outletHealth.outlet,
      set: { ok: values.ok, detail: values.detail, checkedAt: sql`now()` },
    });
}

/** The detail a failed post leaves: `failure:<OutletFailure>`, put in words by the adapter. */
export const FAILED_POST_PREFIX = 'failure:';

/**
 * A post's outcome is the freshest health there is: a post made means the outlet works (its last
 * check's words kept if that check was good too); a failure means it does not, with why in no
 * platform's words (`failure:not_allowed`). A refusal of one bulletin's content says nothing of
 * the outlet and is left out.
 */
export async function recordPostOutcome(
  db: Queryable,
  outlet: OutletName,
  outcome: { ok: true } | { ok: false; failure: OutletFailure },
): Promise<void> {
  if (!outcome.ok) {
    if (outcome.failure !== 'rejected')
      await recordOutletHealth(db, outlet, { ok: false, detail: `${FAILED_POST_PREFIX}${outcome.failure}` });
    return;
  }
  await db
    .insert(outletHealth)
    .values({ outlet, ok: true, detail: '', checkedAt: sql`now()` })
    .onConflictDoUpdate({
      target: outletHealth.outlet,
      set: {
        ok: true,
        detail: sql`case when ${sql.raw('outlet_health.ok')} then ${sql.raw('outlet_health.detail')} else '' end`,
        checkedAt: sql`now()`,
      },
    });
}

/**
 * An engine checks its outlets every minute: a check older than this means no running process
 * serves the outlet, and its posts wait until one starts. Read against the database's clock.
 */
export const SERVED_WITHIN_SECONDS = 300;

/** In a select over `outlet_health` (joined or not): whether a running engine serves the outlet. */
export const servedNow = sql<
  boolean | string | null
>`coalesce(${outletHealth.checkedAt} > now() - make_interval(secs => ${SERVED_WITHIN_SECONDS}), false)`;

/** A boolean as either driver returns it from an expression. */
export const isTrue = (value: boolean | string | null): boolean => value === true || value === 't';

export type OutletHealthView = OutletHealth & { outlet: OutletName; checkedAt: Date; served: boolean };

/** Every broadcast outlet's last health check, in outlet order. */
export async function outletHealthList(db: Queryable): Promise<OutletHealthView[]> {
  const rows = await db
    .select({
      outlet: outletHealth.outlet,
      ok: outletHealth.ok,
      detail: outletHealth.detail,
      checkedAt: outletHealth.checkedAt,
      served: servedNow,
    })
    .from(outletHealth);
  return inOutletOrder(rows.map((row) => row.outlet)).map((outlet) => {
    const row = rows.find((candidate) => candidate.outlet === outlet)!;
    return { ...row, served: isTrue(row.served) };
  });
}
