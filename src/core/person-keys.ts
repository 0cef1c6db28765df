import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { waAuth } from '../db/schema.js';

/**
 * Baileys' key store (wa_auth, written by whatsapp/auth-state.ts) keeps rows about each person the
 * number talks to, under ids built from their phone number's digits (PN user) and their LID's
 * (LID user):
 *   session, identity-key  `<PN user>.<device>`, `<LID user>_1.<device>` (`_128`, `_129`: hosted)
 *   device-list            `<PN user>`, `<LID user>`
 *   lid-mapping            `<PN user>` -> LID user, and its reverse `<LID user>_reverse` -> PN user
 *   tctoken                the jid the privacy token is kept under (`<LID user>@lid`, or the phone
 *                          jid), and the `__index` row listing those jids
 *   sender-key             `<group>::<signal user>::<device>` (groups: the bridge ignores them)
 * The rest (creds, pre-key, app-state-*) is the number's own.
 */
export type PersonUsers = { pn: Set<string>; lid: Set<string> };

/** The digits a jid names, without device or server (`39333…:2@s.whatsapp.net` -> `39333…`). */
const userOf = (jid: string) => jid.split('@')[0]!.split(':')[0]!.split('_')[0]!;
const isLid = (jid: string) => /@(hosted\.)?lid$/.test(jid);

/** The PN and LID users of these addresses (normalised jids of one person, as subscribers keep them). */
export function personUsers(jids: (string | null | undefined)[]): PersonUsers {
  const users: PersonUsers = { pn: new Set(), lid: new Set() };
  for (const jid of jids) if (jid) (isLid(jid) ? users.lid : users.pn).add(userOf(jid));
  return users;
}

const signalUsers = ({ pn, lid }: PersonUsers) => [
  ...[...pn].flatMap((u) => [u, `${u}_128`]),
  ...[...lid].flatMap((u) => [`${u}_1`, `${u}_129`]),
];

const storageJids = ({ pn, lid }: PersonUsers) => [
  ...[...pn].flatMap((u) => [`${u}@s.whatsapp.net`, `${u}@hosted`]),
  ...[...lid].flatMap((u) => [`${u}@lid`, `${u}@hosted.lid`]),
];

/** Whether a jid in the tctoken index is one of these people's. */
export function isPersonJid(jid: string, users: PersonUsers): boolean {
  return (isLid(jid) ? users.lid : users.pn).has(userOf(jid));
}

/** Whether the key-store row (type, id) holds one of these people (pure; mirrors forgetPersonKeys). */
export function isPersonKey(type: string, id: string, users: PersonUsers): boolean {
  const all = new Set([...users.pn, ...users.lid]);
  switch (type) {
    case 'session':
    case 'identity-key':
      return signalUsers(users).includes(id.split('.')[0]!);
    case 'device-list':
      return all.has(id);
    case 'lid-mapping':
      return users.pn.has(id) || (id.endsWith('_reverse') && users.lid.has(id.slice(0, -'_reverse'.length)));
    case 'tctoken':
      return id !== TC_TOKEN_INDEX && isPersonJid(id, users);
    case 'sender-key':
      return signalUsers(users).includes(id.split('::')[1] ?? '');
    default:
      return false;
  }
}

/** The tctoken row that lists the jids tokens are kept under (Baileys' TC_TOKEN_INDEX_KEY). */
export const TC_TOKEN_INDEX = '__index';

/**
 * The tctoken index without these people's jids. The row is `{ token: Buffer }` as Baileys'
 * BufferJSON writes it (`{"type":"Buffer","data":<base64>}`), the buffer a JSON array of jids.
 */
export function indexWithout(value: string, users: PersonUsers): string | undefined {
  try {
    const parsed = JSON.parse(value) as { token?: { type?: string; data?: string } };
    if (parsed.token?.type !== 'Buffer' || typeof parsed.token.data !== 'string') return undefined;
    const jids = JSON.parse(Buffer.from(parsed.token.data, 'base64').toString()) as unknown;
    if (!Array.isArray(jids)) return undefined;
    const kept = jids.filter((jid) => typeof jid !== 'string' || !isPersonJid(jid, users));
    if (kept.length === jids.length) return undefined;
    const data = Buffer.from(JSON.stringify(kept)).toString('base64');
    return JSON.stringify({ ...parsed, token: { type: 'Buffer', data } });
  } catch {
    return undefined;
  }
}

/**
 * Erasure's part in Baileys' key store: deletes every row about this person (see PersonUsers) and
 * takes their jid out of the tctoken index, in the caller's transaction. Their addresses are
 * completed from Baileys' own LID map first, so a LID we never stored is found too. WhatsApp's
 * protocol builds new rows if they write again. Returns the rows deleted.
 */
export async function forgetPersonKeys(tx: Queryable, jids: (string | null | undefined)[]): Promise<number> {
  const users = personUsers(jids);
  if (users.pn.size + users.lid.size === 0) return 0;
  const mapped = await tx
    .select({ id: waAuth.id, value: waAuth.value })
    .from(waAuth)
    .where(
      and(
        eq(waAuth.type, 'lid-mapping'),
        or(
          users.pn.size > 0 ? inArray(waAuth.id, [...users.pn]) : undefined,
          users.lid.size > 0
            ? inArray(
                waAuth.id,
                [...users.lid].map((u) => `${u}_reverse`),
              )
            : undefined,
        ),
      ),
    );
  for (const row of mapped) {
    const other = JSON.parse(row.value) as unknown;
    if (typeof other !== 'string') continue;
    (row.id.endsWith('_reverse') ? users.pn : users.lid).add(userOf(other));
  }
  const all = [...users.pn, ...users.lid];
  const signal = signalUsers(users);
  const mappings = [...users.pn, ...[...users.lid].map((u) => `${u}_reverse`)];
  const deleted = await tx
    .delete(waAuth)
    .where(
      or(
        and(
          inArray(waAuth.type, ['session', 'identity-key']),
          inArray(sql`split_part(${waAuth.id}, '.', 1)`, signal),
        ),
        and(eq(waAuth.type, 'device-list'), inArray(waAuth.id, all)),
        and(eq(waAuth.type, 'lid-mapping'), inArray(waAuth.id, mappings)),
        and(
          eq(waAuth.type, 'tctoken'),
          inArray(sql`regexp_replace(${waAuth.id}, ':[0-9]+@', '@')`, storageJids(users)),
        ),
        and(eq(waAuth.type, 'sender-key'), inArray(sql`split_part(${waAuth.id}, '::', 2)`, signal)),
      ),
    )
    .returning({ id: waAuth.id });
  const [index] = await tx
    .select({ value: waAuth.value })
    .from(waAuth)
    .where(and(eq(waAuth.type, 'tctoken'), eq(waAuth.id, TC_TOKEN_INDEX)))
    .for('update');
  const rewritten = index ? indexWithout(index.value, users) : undefined;
  if (rewritten !== undefined) {
    await tx
      .update(waAuth)
      .set({ value: rewritten })
      .where(and(eq(waAuth.type, 'tctoken'), eq(waAuth.id, TC_TOKEN_INDEX)));
  }
  return deleted.length;
}
