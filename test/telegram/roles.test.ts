import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { roleOf, setRole } from '../../src/core/staff.js';
import { auditLog, bulletins, staffMembers } from '../../src/db/schema.js';
import { messageUpdate, person, textMessage } from '../helpers/bot-api.js';
import { describeWithDatabase } from '../helpers/db.js';
import { admin, approvatore, createTestBot, redattore, STAFF_CHAT, stranger } from './support.js';

const admins = [admin.id];

describeWithDatabase('/ruolo', (ctx) => {
  it('lets an amministratore give a person a role', async () => {
    const t = createTestBot(ctx.db);

    await t.say(admin, '/ruolo 20 approvatore');

    expect(await roleOf(ctx.db, 20, admins)).toBe('approvatore');
    expect(t.sent()).toEqual(['Ruolo di 20 impostato: approvatore.']);
  });

  it('removes a role with nessuno', async () => {
    await setRole(ctx.db, { actorId: admin.id, targetId: 20, role: 'approvatore', adminIds: admins });
    const t = createTestBot(ctx.db);

    await t.say(admin, '/ruolo 20 nessuno');

    expect(await roleOf(ctx.db, 20, admins)).toBeNull();
    expect(t.sent()).toEqual(['Ruolo di 20 rimosso.']);
  });

  it('takes the person from the replied message when only the role is given', async () => {
    const t = createTestBot(ctx.db);
    const theirs = textMessage({ chatId: STAFF_CHAT, from: redattore, text: 'ciao' });

    await t.say(admin, '/ruolo@banditore_test_bot redattore', { replyTo: theirs });

    expect(await roleOf(ctx.db, redattore.id, admins)).toBe('redattore');
  });

  it('refuses a person who is not an amministratore and changes nothing', async () => {
    await setRole(ctx.db, {
      actorId: admin.id,
      targetId: approvatore.id,
      role: 'approvatore',
      adminIds: admins,
    });
    const t = createTestBot(ctx.db);

    await t.say(approvatore, `/ruolo ${approvatore.id} amministratore`);
    await t.say(stranger, `/ruolo ${stranger.id} amministratore`);

    expect(await ctx.db.select().from(staffMembers)).toEqual([
      expect.objectContaining({ telegramId: approvatore.id, role: 'approvatore' }),
    ]);
    expect(t.sent()).toEqual(['Il tuo ruolo non lo consente.', 'Non hai un ruolo nello staff.']);
  });

  it('answers the usage line to a malformed command', async () => {
    const t = createTestBot(ctx.db);

    await t.say(admin, '/ruolo 20 sindaco');
    await t.say(admin, '/ruolo approvatore');

    expect(t.sent()).toEqual([
      'Uso: /ruolo <id utente Telegram> redattore|approvatore|amministratore|nessuno',
      'Uso: /ruolo <id utente Telegram> redattore|approvatore|amministratore|nessuno',
    ]);
    expect(await ctx.db.select().from(staffMembers)).toEqual([]);
  });

  it('refuses to change a configured amministratore', async () => {
    const t = createTestBot(ctx.db);

    await t.say(admin, `/ruolo ${admin.id} nessuno`);

    expect(await roleOf(ctx.db, admin.id, admins)).toBe('amministratore');
    expect(t.sent()).toEqual(['Questo amministratore è fissato nella configurazione: non si cambia da qui.']);
  });

  it('changes no role when its line in the register cannot be written', async () => {
    await ctx.db.execute(sql`
      CREATE FUNCTION refuse_role_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.action = 'role_change' THEN RAISE EXCEPTION 'register unavailable'; END IF;
        RETURN NEW;
      END $$`);
    await ctx.db.execute(sql`
      CREATE TRIGGER refuse_role_change BEFORE INSERT ON audit_log
      FOR EACH ROW EXECUTE FUNCTION refuse_role_change()`);
    try {
      const t = createTestBot(ctx.db);

      await t.say(admin, '/ruolo 20 approvatore');

      expect(t.sent()).toEqual(['Si è verificato un errore, riprova.']);
      expect(await ctx.db.select().from(staffMembers)).toEqual([]);
      expect(await ctx.db.select().from(auditLog)).toEqual([]);
    } finally {
      await ctx.db.execute(sql`DROP TRIGGER refuse_role_change ON audit_log`);
      await ctx.db.execute(sql`DROP FUNCTION refuse_role_change()`);
    }
  });

  it("gives no role to Telegram's shared senders, by id or in reply to their message", async () => {
    const anonymousAdmin = person(1087968824, 'Group');
    const t = createTestBot(ctx.db);
    const theirs = textMessage({ chatId: STAFF_CHAT, from: anonymousAdmin, text: 'ciao' });

    await t.say(admin, '/ruolo 1087968824 amministratore');
    await t.say(admin, '/ruolo 136817688 redattore');
    await t.say(admin, '/ruolo approvatore', { replyTo: theirs });

    const refused =
      'Questo mittente è condiviso da Telegram (amministratore anonimo o messaggio inviato come canale): non può avere un ruolo. Scrivi a tuo nome.';
    expect(t.sent()).toEqual([refused, refused, refused]);
    expect(await ctx.db.select().from(staffMembers)).toEqual([]);
  });

  it("lets Telegram's shared senders do nothing, even with a role given before this rule", async () => {
    await ctx.db.insert(staffMembers).values([
      { telegramId: 1087968824, role: 'amministratore', grantedBy: admin.id },
      { telegramId: 136817688, role: 'amministratore', grantedBy: admin.id },
    ]);
    const t = createTestBot(ctx.db);
    const anonymousAdmin = person(1087968824, 'Group');
    const asChannel = person(136817688, 'Channel');

    for (const from of [anonymousAdmin, asChannel]) {
      // An anonymous admin writes as the group itself; "send as channel" as the channel.
      const update = messageUpdate({ chatId: STAFF_CHAT, from, text: '/ruolo 30 amministratore' });
      update.message!.sender_chat = { id: STAFF_CHAT, type: 'supergroup', title: 'Staff' };
      await t.bot.handleUpdate(update);
      await t.say(from, '/bozza Avviso anonimo');
    }

    expect(t.sent()).toHaveLength(4);
    expect(new Set(t.sent())).toEqual(
      new Set([
        'Questo mittente è condiviso da Telegram (amministratore anonimo o messaggio inviato come canale): non può avere un ruolo. Scrivi a tuo nome.',
      ]),
    );
    expect(await roleOf(ctx.db, 30, admins)).toBeNull();
    expect(await ctx.db.select().from(bulletins)).toEqual([]);
  });
});
