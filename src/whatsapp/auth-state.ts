import {
  type AuthenticationCreds,
  type AuthenticationState,
  BufferJSON,
  initAuthCreds,
  makeCacheableSignalKeyStore,
  proto,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from '@whiskeysockets/baileys';
import { and, eq, inArray, sql } from 'drizzle-orm';
import {
  indexWithout,
  isPersonKey,
  type PersonUsers,
  personUsers,
  TC_TOKEN_INDEX,
} from '../core/person-keys.js';
import type { Db } from '../db/client.js';
import { waAuth } from '../db/schema.js';
import type { Logger } from '../logger.js';

const CREDS = { type: 'creds', id: '' } as const;

/**
 * Linked means paired: a finished pairing leaves the signed device identity (`account`), and the
 * code flow sets `registered`. `me` alone is no proof: requestPairingCode writes it at the start.
 */
function isPaired(creds: AuthenticationCreds): boolean {
  return Boolean(creds.me?.id && (creds.account || creds.registered));
}

const serialise = (value: unknown) => JSON.stringify(value, BufferJSON.replacer);
const revive = (text: string) => JSON.parse(text, BufferJSON.reviver);

/**
 * After an erasure, how long writes about that person are dropped: sending them the goodbye
 * encrypts (a session row) and then issues a privacy token in the background (a tctoken row and
 * the index), which would otherwise put back what erasure just deleted.
 */
export const FORGET_MS = 2 * 60_000;

type Entry = { type: string; id: string; value: string };
/** People being forgotten, and the latest write about them held back, by type and id. */
type Forgetting = { users: PersonUsers; until: number; held: Map<string, Entry> };

const keyOf = ({ type, id }: { type: string; id: string }) => `${type}\0${id}`;

/**
 * What may be written of a batch while some people are being forgotten (see FORGET_MS); each
 * forgetting holds the writes it kept back (for the tctoken index, the value before its people
 * were taken out), so that taking it back can write them after all.
 */
function withoutForgotten(entries: Entry[], forgetting: Forgetting[]): Entry[] {
  if (forgetting.length === 0) return entries;
  const written: Entry[] = [];
  for (const entry of entries) {
    const holders = forgetting.filter(({ users }) => isPersonKey(entry.type, entry.id, users));
    for (const { held } of holders) held.set(keyOf(entry), entry);
    if (holders.length > 0) continue;
    if (entry.type !== 'tctoken' || entry.id !== TC_TOKEN_INDEX) {
      written.push(entry);
      continue;
    }
    let { value } = entry;
    for (const { users, held } of forgetting) {
      const without = indexWithout(value, users);
      if (without === undefined) continue;
      held.set(keyOf(entry), entry);
      value = without;
    }
    written.push({ ...entry, value });
  }
  return written;
}

/** The key store over the wa_auth table, with `forget` for people being erased. */
export type DbKeyStore = SignalKeyStore & {
  /**
   * Holds back writes about these people for FORGET_MS. What it returns takes that back, writing
   * what was held (the person was not erased after all: the session that answered them is kept).
   */
  forget(jids: string[]): () => Promise<void>;
};

/** The signal key store over the wa_auth table: every key type kept, a batch in one transaction. */
export function createDbKeyStore(db: Db): DbKeyStore {
  let forgetting: Forgetting[] = [];
  // A take-back's writes, which a later write of the same key must not be overtaken by.
  let replaying: Promise<void> = Promise.resolve();

  async function write(upserts: Entry[], deletes: { type: string; id: string }[]): Promise<void> {
    if (upserts.length === 0 && deletes.length === 0) return;
    await db.transaction(async (tx) => {
      for (const { type, id } of deletes) {
        await tx.delete(waAuth).where(and(eq(waAuth.type, type), eq(waAuth.id, id)));
      }
      if (upserts.length > 0) {
        await tx
          .insert(waAuth)
          .values(upserts)
          .onConflictDoUpdate({ target: [waAuth.type, waAuth.id], set: { value: sql`excluded.value` } });
      }
    });
  }

  return {
    forget(jids) {
      const now = Date.now();
      const entry: Forgetting = { users: personUsers(jids), until: now + FORGET_MS, held: new Map() };
      forgetting = [...forgetting.filter((f) => f.until > now), entry];
      return () => {
        forgetting = forgetting.filter((f) => f !== entry);
        const held = withoutForgotten([...entry.held.values()], forgetting);
        entry.held.clear();
        const replay = replaying.then(() => write(held, []));
        replaying = replay.catch(() => {});
        return replay;
      };
    },
    async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const found: { [id: string]: SignalDataTypeMap[T] } = {};
      if (ids.length === 0) return found;
      const rows = await db
        .select({ id: waAuth.id, value: waAuth.value })
        .from(waAuth)
        .where(and(eq(waAuth.type, type), inArray(waAuth.id, ids)));
      for (const row of rows) {
        const value = revive(row.value);
        found[row.id] = (
          type === 'app-state-sync-key' ? proto.Message.AppStateSyncKeyData.fromObject(value) : value
        ) as SignalDataTypeMap[T];
      }
      return found;
    },
    // Baileys commits a batch as one set() and retries it on error: apply all of it or nothing.
    async set(data: SignalDataSet) {
      const upserts: Entry[] = [];
      const deletes: { type: string; id: string }[] = [];
      for (const [type, entries] of Object.entries(data)) {
        for (const [id, value] of Object.entries(entries ?? {})) {
          if (value === null || value === undefined) deletes.push({ type, id });
          else upserts.push({ type, id, value: serialise(value) });
        }
      }
      forgetting = forgetting.filter((f) => f.until > Date.now());
      // A key deleted since it was held is not written back.
      for (const { held } of forgetting) for (const d of deletes) held.delete(keyOf(d));
      const kept = withoutForgotten(upserts, forgetting);
      await replaying;
      await write(kept, deletes);
    },
    async clear() {
      await db.delete(waAuth).where(sql`${waAuth.type} <> ${CREDS.type}`);
    },
  };
}

export type DbAuthState = {
  state: AuthenticationState;
  /** Saves the whole creds object (Baileys mutates it in place); call on every creds.update. */
  saveCreds(): Promise<void>;
  /** Forgets the login: creds and every key. */
  clear(): Promise<void>;
  /** A person is being erased: Baileys' writes about them are held back (see DbKeyStore). */
  forget: DbKeyStore['forget'];
  isLinked(): boolean;
};

/** Baileys' login state kept in the database, never in files; a restart does not ask to link again. */
export async function loadAuthState(db: Db, logger: Logger): Promise<DbAuthState> {
  const [row] = await db
    .select({ value: waAuth.value })
    .from(waAuth)
    .where(and(eq(waAuth.type, CREDS.type), eq(waAuth.id, CREDS.id)));
  let creds: AuthenticationCreds = row ? revive(row.value) : initAuthCreds();
  // requestPairingCode writes creds.me before the phone accepts; a pairing never finished would
  // make Baileys log in with a login that does not exist: start that one afresh.
  if (creds.me && !isPaired(creds)) creds = initAuthCreds();
  const store = createDbKeyStore(db);
  return {
    state: { creds, keys: makeCacheableSignalKeyStore(store, logger) },
    isLinked: () => isPaired(creds),
    forget: (jids) => store.forget(jids),
    async saveCreds() {
      await db
        .insert(waAuth)
        .values({ ...CREDS, value: serialise(creds) })
        .onConflictDoUpdate({ target: [waAuth.type, waAuth.id], set: { value: sql`excluded.value` } });
    },
    async clear() {
      await db.delete(waAuth);
    },
  };
}
