import { InputFile } from 'grammy';
import type { Message } from 'grammy/types';
import { describe, expect, it, vi } from 'vitest';
import { getBulletin } from '../../src/core/bulletins.js';
import { setRole } from '../../src/core/staff.js';
import { optIn } from '../../src/core/subscriptions.js';
import { bodyVersionHash } from '../../src/core/version-hash.js';
import { csvField, registerCsv, romeIso } from '../../src/telegram/register-csv.js';
import { REGISTER_COLUMNS } from '../../src/telegram/texts.js';
import { callbackUpdate } from '../helpers/bot-api.js';
import { bridgeHarness } from '../helpers/bridge.js';
import { describeWithDatabase } from '../helpers/db.js';
import {
  admin,
  approvatore,
  createTestBot,
  OTHER_GROUP,
  redattore,
  stranger,
  type TestBot,
} from './support.js';

const admins = [admin.id];

/** RFC 4180 read back: quoted fields may hold commas, quotes (doubled) and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) throw new Error('the CSV does not end with CRLF');
  return rows;
}

async function documentBytes(t: TestBot): Promise<Buffer> {
  const [call] = t.api.calls('sendDocument');
  const file = call?.document;
  if (!(file instanceof InputFile)) throw new Error('no document was sent');
  return Buffer.from((await file.toRaw()) as Uint8Array);
}

describe('the register as CSV', () => {
  it('quotes fields as RFC 4180 asks', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('writes Rome time with its offset, summer and winter', () => {
    expect(romeIso(new Date('2026-01-15T11:30:05Z'))).toBe('2026-01-15T12:30:05.000+01:00');
    expect(romeIso(new Date('2026-07-15T11:30:05Z'))).toBe('2026-07-15T13:30:05.000+02:00');
  });

  it('starts with a byte order mark and the header', () => {
    const csv = registerCsv([]);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(parseCsv(csv.toString('utf8').slice(1))).toEqual([[...REGISTER_COLUMNS]]);
  });
});

describeWithDatabase('/registro and /storico', (ctx) => {
  const bridges = bridgeHarness(ctx);

  async function arrange() {
    await setRole(ctx.db, { actorId: admin.id, targetId: redattore.id, role: 'redattore', adminIds: admins });
    await setRole(ctx.db, {
      actorId: admin.id,
      targetId: approvatore.id,
      role: 'approvatore',
      adminIds: admins,
    });
    for (const n of [1, 2]) {
      await optIn(ctx.db, {
        address: { phoneJid: `39333000000${n}@s.whatsapp.net` },
        messageId: `M${n}`,
        privacyVersion: '1',
      });
    }
    return createTestBot(ctx.db);
  }

  /** Drafts, approves and waits for the bridge to finish sending; returns what WhatsApp received. */
  async function sendBulletin(t: TestBot, text: string): Promise<string> {
    const { socket } = await bridges.start();
    socket.open();
    await t.say(redattore, `/bozza ${text}`);
    const preview = t.api.results<Message>('sendMessage').at(-1)!;
    await t.bot.handleUpdate(callbackUpdate({ from: approvatore, data: 'approve:1:1', message: preview }));
    await vi.waitFor(async () => expect((await getBulletin(ctx.db, 1)).state).toBe('sent'), {
      timeout: 10_000,
    });
    const bulletins = socket.sent.filter((m) => m.message);
    expect(bulletins).toHaveLength(2);
    return 'text' in bulletins[0]!.content ? bulletins[0]!.content.text : '';
  }

  it('sends approvers the register, holding the SHA-256 of exactly what citizens received', async () => {
    const t = await arrange();
    const received = await sendBulletin(t, 'Domenica 12, "mercato" in piazza Matteotti.');

    await t.say(approvatore, '/registro');

    const [call] = t.api.calls('sendDocument');
    expect((call!.document as InputFile).filename).toMatch(/^registro-banditore-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(String(call?.caption)).toMatch(/^Registro delle azioni: \d+ voci\./);
    const bytes = await documentBytes(t);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = parseCsv(bytes.toString('utf8').slice(1));
    expect(header).toEqual([...REGISTER_COLUMNS]);
    const body = { text: received, entities: [] };
    const sentHash = bodyVersionHash({ body, category: null, mediaSha256: null, lists: ['notizie'] });
    const started = rows.find((r) => r[3] === 'send_start');
    expect(started?.slice(4, 7)).toEqual(['1', '1', sentHash]);
    expect(rows.find((r) => r[3] === 'draft')?.slice(2, 7)).toEqual([
      String(redattore.id),
      'draft',
      '1',
      '1',
      sentHash,
    ]);
    expect(rows.map((r) => r[3])).toEqual(
      expect.arrayContaining(['role_change', 'draft', 'send_start', 'send_end']),
    );
    const roleChange = rows.find((r) => r[3] === 'role_change')!;
    expect(roleChange[2]).toBe(String(admin.id));
    expect(JSON.parse(roleChange[7]!)).toEqual({ target: redattore.id, role: 'redattore' });
    for (const row of rows) {
      expect(row).toHaveLength(REGISTER_COLUMNS.length);
      expect(new Date(row[0]!).getTime()).toBe(new Date(row[1]!).getTime());
    }
  });

  it('refuses the register to a redattore and to a person without a role, and answers nothing in another group', async () => {
    const t = await arrange();

    await t.say(redattore, '/registro');
    await t.say(stranger, '/registro');
    await t.say(approvatore, '/registro', { chatId: OTHER_GROUP });
    await t.say(approvatore, '/storico', { chatId: OTHER_GROUP });

    expect(t.api.calls('sendDocument')).toEqual([]);
    expect(t.sent()).toEqual(['Il tuo ruolo non lo consente.', 'Non hai un ruolo nello staff.']);
  });

  it('lists the latest bulletins with their state for anyone on the staff, and nobody else', async () => {
    const t = await arrange();
    await sendBulletin(t, 'Domenica 12 il mercato si sposta in piazza Matteotti per i lavori in via Roma.');
    await t.say(redattore, '/bozza Chiusura uffici lunedì.');
    const before = t.sent().length;

    await t.say(redattore, '/storico');
    await t.say(stranger, '/storico');

    const [history, refused] = t.sent().slice(before);
    expect(history).toMatch(
      /^Ultimi 2 bollettini:\nn\. 2 · da approvare · scritto alle \d\d:\d\d\n {3}«Chiusura uffici lunedì\.»\nn\. 1 · inviato · scritto alle \d\d:\d\d, concluso alle \d\d:\d\d\n {3}«Domenica 12 il mercato si sposta in piazza…»$/,
    );
    expect(refused).toBe('Non hai un ruolo nello staff.');
  });
});
