import { and, eq, inArray, isNotNull, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { subscribers, waAuth } from '../db/schema.js';
import { learnAddressPair } from './identity.js';

// Subscribers known only by a LID (from the Baileys days: WhatsApp gave no phone number) cannot
// be reached through the Cloud API, which addresses people by phone number alone; their
// deliveries fail as `no_phone_number` and /stato counts them. The Cloud API's webhooks name a
// citizen by phone number and never by LID, so the only bridge between the two is the LID map
// Baileys kept in its key store (wa_auth `lid-mapping`: `<PN user>` -> LID user, and the reverse
// `<LID user>_reverse` -> PN user), which may hold pairs the bridge never reported.

const digitsOf = (jid: string) => jid.split('@')[0]!.split(':')[0]!;

/** A key-store value is JSON (BufferJSON); a LID map's is the other side's user as a string. */
function mappedUser(value: string): string | undefined {
  try {
    const parsed = JSON.parse(value) as unknown;
    return typeof parsed === 'string' && /^\d{5,20}$/.test(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A citizen wrote from `phoneJid`: when WhatsApp once told us their LID and a subscriber is known
 * only by it, that subscriber learns the number (and is merged with one known by it), so their
 * lists and consent reach them again. Returns whether someone became reachable.
 */
export async function reachLidByPhone(db: Db, phoneJid: string): Promise<boolean> {
  const [row] = await db
    .select({ value: waAuth.value })
    .from(waAuth)
    .where(and(eq(waAuth.type, 'lid-mapping'), eq(waAuth.id, digitsOf(phoneJid))));
  const lidUser = row && mappedUser(row.value);
  if (!lidUser) return false;
  const lid = `${lidUser}@lid`;
  const [lidOnly] = await db
    .select({ id: subscribers.id })
    .from(subscribers)
    .where(and(eq(subscribers.lid, lid), isNull(subscribers.phoneJid), isNull(subscribers.erasedAt)));
  if (!lidOnly) return false;
  return (await learnAddressPair(db, { phoneJid, lid })) > 0;
}

/**
 * Every subscriber known only by a LID whose number Baileys' key store holds learns it: run once
 * when the Cloud API transport starts, so a Comune that switched keeps whoever can be kept.
 * Returns how many became reachable.
 */
export async function reachStoredLids(db: Db): Promise<number> {
  const lidOnly = await db
    .select({ lid: subscribers.lid })
    .from(subscribers)
    .where(and(isNull(subscribers.phoneJid), isNotNull(subscribers.lid), isNull(subscribers.erasedAt)));
  let reached = 0;
  // Pages keep the IN list short; a Comune has at most a few thousand such rows.
  for (let i = 0; i < lidOnly.length; i += 500) {
    const page = lidOnly.slice(i, i + 500).map((r) => digitsOf(r.lid!));
    const pairs = await db
      .select({ id: waAuth.id, value: waAuth.value })
      .from(waAuth)
      .where(
        and(
          eq(waAuth.type, 'lid-mapping'),
          inArray(
            waAuth.id,
            page.map((u) => `${u}_reverse`),
          ),
        ),
      );
    for (const pair of pairs) {
      const pnUser = mappedUser(pair.value);
      if (!pnUser) continue;
      const lid = `${pair.id.slice(0, -'_reverse'.length)}@lid`;
      if ((await learnAddressPair(db, { phoneJid: `${pnUser}@s.whatsapp.net`, lid })) > 0) reached++;
    }
  }
  return reached;
}
