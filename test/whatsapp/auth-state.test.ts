import { initAuthCreds, proto, type SignalDataSet } from '@whiskeysockets/baileys';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { createDbKeyStore, loadAuthState } from '../../src/whatsapp/auth-state.js';
import { describeWithDatabase } from '../helpers/db.js';

const logger = pino({ level: 'silent' });

describeWithDatabase('WhatsApp login state in the database', (ctx) => {
  it('round-trips every key type, Buffers included, and deletes on null', async () => {
    const store = createDbKeyStore(ctx.db);
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const data: SignalDataSet = {
      'pre-key': { '1': { public: bytes, private: Buffer.from('priv') } },
      session: { 'a.0': bytes },
      'sender-key': { 'g@g.us::a::0': bytes },
      'sender-key-memory': { 'g@g.us': { 'a@s.whatsapp.net': true } },
      'app-state-sync-key': {
        AAAA: proto.Message.AppStateSyncKeyData.fromObject({ keyData: bytes, timestamp: 5 }),
      },
      'app-state-sync-version': {
        regular: { version: 3, hash: bytes, indexValueMap: { x: { valueMac: bytes } } },
      },
      'lid-mapping': { '39333': '123@lid' },
      'device-list': { '39333': ['0', '1'] },
      tctoken: { '39333@s.whatsapp.net': { token: bytes, timestamp: '17' } },
      'identity-key': { '39333.0': bytes },
    };
    await store.set(data);
    for (const [type, entries] of Object.entries(data)) {
      const ids = Object.keys(entries ?? {});
      const got = await store.get(type as keyof SignalDataSet, ids);
      if (type === 'app-state-sync-key') {
        expect(got.AAAA).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
        expect(Buffer.from((got.AAAA as proto.Message.IAppStateSyncKeyData).keyData!)).toEqual(bytes);
      } else {
        expect(got).toEqual(entries);
      }
    }
    await store.set({ session: { 'a.0': null } });
    expect(await store.get('session', ['a.0'])).toEqual({});
  });

  it('applies a batch all or nothing, and throws when the database refuses part of it', async () => {
    const store = createDbKeyStore(ctx.db);
    const bytes = Buffer.from([9, 8, 7]);
    // Postgres text cannot hold a NUL character: the second row fails, so the first must not stay.
    await expect(store.set({ session: { good: bytes, 'bad\u0000id': bytes } })).rejects.toThrow();
    expect(await store.get('session', ['good'])).toEqual({});

    await store.set({ session: { good: bytes }, 'pre-key': { '7': { public: bytes, private: bytes } } });
    await store.set({ session: { good: null, other: bytes } });
    expect(await store.get('session', ['good', 'other', 'missing'])).toEqual({ other: bytes });
    expect(Object.keys(await store.get('pre-key', ['7']))).toEqual(['7']);
  });

  it('keeps creds whole across a reload', async () => {
    const first = await loadAuthState(ctx.db, logger);
    expect(first.isLinked()).toBe(false);
    first.state.creds.me = { id: '39055:2@s.whatsapp.net', name: 'Comune' };
    first.state.creds.account = proto.ADVSignedDeviceIdentity.fromObject({ details: Buffer.from([1, 2]) });
    await first.saveCreds();
    const again = await loadAuthState(ctx.db, logger);
    expect(again.isLinked()).toBe(true);
    expect(Buffer.from(again.state.creds.noiseKey.private)).toEqual(
      Buffer.from(first.state.creds.noiseKey.private),
    );
    expect(again.state.creds.registrationId).toBe(first.state.creds.registrationId);
    expect(initAuthCreds().registrationId).toBeTypeOf('number');
  });

  it('does not count a pairing code that was asked for but never entered as linked', async () => {
    const first = await loadAuthState(ctx.db, logger);
    // What requestPairingCode writes before the phone accepts.
    first.state.creds.me = { id: '390551234567@s.whatsapp.net', name: '~' };
    first.state.creds.pairingCode = 'ABCD1234';
    expect(first.isLinked()).toBe(false);
    await first.saveCreds();

    const again = await loadAuthState(ctx.db, logger);
    expect(again.isLinked()).toBe(false);
    // Started afresh, so Baileys registers anew instead of logging in with a login that does not exist.
    expect(again.state.creds.me).toBeUndefined();
    expect(again.state.creds.registrationId).not.toBe(first.state.creds.registrationId);

    first.state.creds.registered = true;
    expect(first.isLinked()).toBe(true);
  });
});
