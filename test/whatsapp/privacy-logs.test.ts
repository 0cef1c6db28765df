import { Writable } from 'node:stream';
import { initAuthCreds } from '@whiskeysockets/baileys';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { requestPairing } from '../../src/core/link.js';
import { queuePause } from '../../src/core/send-control.js';
import { countActiveSubscribers } from '../../src/core/subscriptions.js';
import { isIgnoredJid, socketConfig } from '../../src/whatsapp/socket.js';
import { bridgeHarness } from '../helpers/bridge.js';
import { describeWithDatabase } from '../helpers/db.js';
import { approvedBulletin } from '../helpers/seed.js';
import { incomingText } from '../helpers/wa-socket.js';

const PN = '393337654321@s.whatsapp.net';
const LID = '140000000000999@lid';
const SECRET_TEXT = 'Mi chiamo Maria Bianchi, via Garibaldi 12';

function capture(level: string) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

describe('socketConfig', () => {
  it('asks Baileys for no full history, no online presence, a warn-level logger, our getMessage and ignored jids', () => {
    const { logger } = capture('info');
    const getMessage = async () => undefined;
    const config = socketConfig({ auth: { creds: initAuthCreds(), keys: {} as never }, logger, getMessage });
    expect(config.syncFullHistory).toBe(false);
    expect(config.markOnlineOnConnect).toBe(false);
    expect(config.logger.level).toBe('warn');
    expect(config.getMessage).toBe(getMessage);
    for (const jid of ['1203630001@g.us', 'status@broadcast', '123@broadcast', '1203630002@newsletter']) {
      expect(config.shouldIgnoreJid(jid)).toBe(true);
    }
    expect(isIgnoredJid(PN)).toBe(false);
    expect(isIgnoredJid(LID)).toBe(false);
  });
});

describeWithDatabase('what the bridge logs', (ctx) => {
  const wa = bridgeHarness(ctx);

  it('writes no phone number, message text, name, QR, pairing code or key at info level', async () => {
    const { logger, lines } = capture('info');
    await requestPairing(ctx.db, { actorId: 1, adminIds: [1], phoneNumber: '390551234567' });
    const { bridge, socket } = await wa.start({ logger });
    socket.update({ connection: 'connecting', qr: '2@SECRETQR,abc' });
    await vi.waitFor(() => expect(socket.pairingRequests).toHaveLength(1), { timeout: 5_000 });
    socket.open();
    await vi.waitFor(() => expect(bridge.state().sending).toBe(true));

    socket.receive([incomingText({ from: LID, alt: PN, text: 'Iscrizione', pushName: 'Maria Bianchi' })]);
    socket.receive([incomingText({ from: PN, text: SECRET_TEXT, pushName: 'Maria Bianchi' })]);
    socket.call([{ chatId: PN, from: PN, id: 'CALL9', date: new Date(), status: 'offer', offline: false }]);
    await vi.waitFor(() => expect(socket.sent.filter((m) => !m.message)).toHaveLength(2));
    await approvedBulletin(ctx.db, 'Avviso alla cittadinanza');
    await vi.waitFor(() => expect(socket.sent.filter((m) => m.message)).toHaveLength(1));
    const [send] = socket.sent.filter((m) => m.message);
    socket.errorAck(send!.messageId!, send!.jid, '463');
    await vi.waitFor(async () => expect(await queuePause(ctx.db)).toBeDefined());
    socket.receive([incomingText({ from: PN, text: 'Cancella' })]);
    // Applied at once; its reply waits for the pause to end.
    await vi.waitFor(async () => expect(await countActiveSubscribers(ctx.db)).toBe(0));
    await wa.stop(bridge);

    const log = lines.join('\n');
    expect(lines.length).toBeGreaterThan(5);
    const creds = socket.options.auth.creds;
    for (const secret of [
      '3337654321',
      '140000000000999',
      '390551234567',
      'Maria',
      'Garibaldi',
      'Avviso alla cittadinanza',
      'SECRETQR',
      'ABCD1234',
      Buffer.from(creds.noiseKey.private).toString('base64'),
      Buffer.from(creds.signedIdentityKey.private).toString('base64'),
      creds.advSecretKey,
    ]) {
      expect(log).not.toContain(secret);
    }
  });
});
