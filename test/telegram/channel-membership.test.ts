import type { ChatMember, Update } from 'grammy/types';
import { expect, it } from 'vitest';
import { botInfo } from '../helpers/bot-api.js';
import { describeWithDatabase } from '../helpers/db.js';
import { admin, createTestBot, STAFF_CHAT } from './support.js';

const CHANNEL = -1001555000111;
let updateId = 910_000;

const rights = {
  can_be_edited: false,
  is_anonymous: false,
  can_manage_chat: true,
  can_delete_messages: true,
  can_manage_video_chats: false,
  can_restrict_members: false,
  can_promote_members: false,
  can_change_info: false,
  can_invite_users: true,
  can_post_stories: false,
  can_edit_stories: false,
  can_delete_stories: false,
  can_send_welcome_messages: false,
};
const administrator = (canPost: boolean): ChatMember => ({
  status: 'administrator',
  user: botInfo,
  ...rights,
  can_post_messages: canPost,
  can_edit_messages: false,
});
const left: ChatMember = { status: 'left', user: botInfo };

/** Telegram's update when the bot's membership in the channel changes. */
function membership(from: ChatMember, to: ChatMember, username?: string): Update {
  return {
    update_id: updateId++,
    my_chat_member: {
      chat: { id: CHANNEL, type: 'channel', title: 'Notizie dal Comune', ...(username ? { username } : {}) },
      from: admin,
      date: Math.floor(Date.now() / 1000),
      old_chat_member: from,
      new_chat_member: to,
    },
  };
}

describeWithDatabase('the bot made administrator of a Telegram channel', (ctx) => {
  it('stays, and tells the staff group the TELEGRAM_CHANNEL_ID to set', async () => {
    const t = createTestBot(ctx.db);
    await t.bot.handleUpdate(membership(left, administrator(true)));

    expect(t.api.calls('leaveChat')).toEqual([]);
    expect(t.api.calls('sendMessage')).toEqual([
      expect.objectContaining({
        chat_id: STAFF_CHAT,
        text: `Il bot è amministratore del canale Telegram «Notizie dal Comune». Per pubblicarci i bollettini imposta TELEGRAM_CHANNEL_ID=${CHANNEL} e riavvia il servizio.`,
      }),
    ]);
  });

  it('says when the right to post is missing, when it is ready, and when it was removed', async () => {
    const t = createTestBot(ctx.db, { TELEGRAM_CHANNEL_ID: '@NotizieComune' });
    await t.bot.handleUpdate(membership(left, administrator(false), 'notiziecomune'));
    await t.bot.handleUpdate(membership(administrator(false), administrator(true), 'notiziecomune'));
    await t.bot.handleUpdate(membership(administrator(true), left, 'notiziecomune'));

    expect(t.api.calls('leaveChat')).toEqual([]);
    expect(t.sent()).toEqual([
      'Il bot è amministratore del canale Telegram «Notizie dal Comune» ma senza il permesso «Pubblica messaggi»: concedilo, o i bollettini non ci usciranno.',
      'Il bot può pubblicare nel canale Telegram «Notizie dal Comune»: i bollettini approvati ci usciranno.',
      '⚠️ Il bot non è più amministratore del canale Telegram «Notizie dal Comune»: i bollettini non ci usciranno finché non lo aggiungi di nuovo come amministratore con il permesso «Pubblica messaggi».',
    ]);
  });

  it('says nothing when it is removed from a channel that is not the configured one', async () => {
    const t = createTestBot(ctx.db, { TELEGRAM_CHANNEL_ID: String(CHANNEL - 1) });
    await t.bot.handleUpdate(membership(administrator(true), left));
    expect(t.api.all).toEqual([]);
  });
});
