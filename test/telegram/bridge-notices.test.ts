import { Api } from 'grammy';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { type BridgeNotice, postStaffNotice } from '../../src/core/notices.js';
import { startNoticePoster } from '../../src/telegram/notice-poster.js';
import { createStaffChat } from '../../src/telegram/staff-chat.js';
import { bridgeNotice, staffNotice } from '../../src/telegram/texts.js';
import { recordBotApi } from '../helpers/bot-api.js';
import { describeWithDatabase } from '../helpers/db.js';
import { STAFF_CHAT } from './support.js';

describe('bridge notices for the staff group', () => {
  it.each<[BridgeNotice, string]>([
    [
      { kind: 'wa_linked', number: '390551234567@s.whatsapp.net' },
      'WhatsApp collegato: numero +390551234567',
    ],
    [{ kind: 'wa_down', minutes: 10 }, 'scollegato da 10 minuti'],
    [{ kind: 'wa_back', minutes: 1 }, 'di nuovo collegato dopo 1 minuto'],
    [{ kind: 'wa_replaced' }, 'un’altra sessione'],
    [{ kind: 'wa_logged_out' }, 'Collega di nuovo il numero'],
    [
      {
        kind: 'wa_new_number',
        number: '393339999999@s.whatsapp.net',
        previous: '390551234567@s.whatsapp.net',
      },
      'collegato al numero +393339999999, diverso da quello di prima (+390551234567)',
    ],
    [{ kind: 'wa_banned' }, 'errore 403'],
    [{ kind: 'wa_outdated' }, 'errore 405'],
    [{ kind: 'pairing_code', code: 'ABCD1234' }, 'Codice di abbinamento: ABCD1234'],
    [{ kind: 'pairing_failed', reason: 'linked' }, 'già collegato'],
    [{ kind: 'pairing_failed', reason: 'error' }, 'riprova'],
    [{ kind: 'sending_paused', signal: 'error_463', until: null }, 'errore 463'],
    [
      { kind: 'sending_paused', signal: 'reachout_timelock', until: '2030-07-01T10:00:00.000Z' },
      'Invii in pausa fino alle 01/07, 12:00',
    ],
    [{ kind: 'sending_paused', signal: 'message_capping', until: null }, 'tetto mensile'],
    [{ kind: 'sending_resumed', signal: 'reachout_timelock' }, 'gli invii riprendono'],
  ])('says %j in Italian', (notice, words) => {
    expect(bridgeNotice(notice)).toContain(words);
    // The poster asks staffNotice first; it does not claim the bridge's kinds.
    expect(staffNotice(notice)).toBeUndefined();
  });

  it('names what to do next when sending is paused', () => {
    expect(bridgeNotice({ kind: 'sending_paused', signal: 'error_463', until: null })).toContain('/riprendi');
  });
});

describeWithDatabase('the notice poster with bridge notices', (ctx) => {
  it('posts what the bridge writes, in the order written', async () => {
    const telegram = new Api('123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    const api = recordBotApi(telegram);
    const poster = await startNoticePoster({
      db: ctx.db,
      listen: ctx.database.listen,
      api: telegram,
      staffChat: createStaffChat(STAFF_CHAT),
      logger: pino({ level: 'silent' }),
      pollIntervalMs: 10 * 60_000,
    });
    try {
      await postStaffNotice(ctx.db, { kind: 'pairing_code', code: 'WXYZ9876' });
      await postStaffNotice(ctx.db, { kind: 'wa_linked', number: '390551234567@s.whatsapp.net' });
      await api.waitForCall('sendMessage', 2);
    } finally {
      await poster.stop();
    }
    const texts = api.calls('sendMessage').map((c) => String(c.text));
    expect(texts[0]).toContain('WXYZ9876');
    expect(texts[1]).toContain('+390551234567');
  });
});
