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

/** The signal key store over the wa_auth table: every key type kept, a batch in one transaction. */
export function createDbKeyStore(db: Db): SignalKeyStore {
  return {
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
      const upserts: { type: string; id: string; value: string }[] = [];
      const deletes: { type: string; id: string }[] = [];
      for (const [type, entries] of Object.entries(data)) {
        for (const [id, value] of Object.entries(entries ?? {})) {
          if (value === null || value === undefined) deletes.push({ type, id });
          else upserts.push({ type, id, value: serialise(value) });
        }
      }
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
