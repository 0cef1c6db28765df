import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Message, MessageEntity, Update, User } from 'grammy/types';
import { Hono } from 'hono';
import { fileOf, type Payload, readPayload } from './bot-payload.js';
import type { Hub, StaffView } from './hub.js';
import { demoBot, STAFF, STAFF_CHAT_ID, type StaffKey } from './staff.js';
import { staffView } from './staff-view.js';

const staffChat = { id: STAFF_CHAT_ID, type: 'supergroup' as const, title: 'Redazione (demo)' };
const now = () => Math.floor(Date.now() / 1000);
const LONG_POLL_CAP_MS = 25_000;

/**
 * The Telegram Bot API for one staff group, on loopback: the program's grammY talks to it through
 * TELEGRAM_API_ROOT. What the bot posts, edits and deletes in the group reaches the page through
 * the hub; what the page's staff write or press becomes the update Telegram would deliver.
 */
export async function startTelegramStandIn(hub: Hub) {
  const messages = new Map<number, Message>();
  const parseModes = new Map<number, unknown>();
  const pending: Update[] = [];
  let nextMessageId = 1;
  let nextUpdateId = 1;
  let wake: (() => void) | undefined;
  let pollingStarted: () => void = () => {};
  const polling = new Promise<void>((resolve) => {
    pollingStarted = resolve;
  });

  function show(message: Message, change: Partial<StaffView> = {}) {
    const previous = hub.staffMessage(message.message_id);
    hub.publish({
      kind: 'staff',
      message: { ...staffView(message, parseModes.get(message.message_id), previous), ...change },
    });
  }

  function push(update: Omit<Update, 'update_id'>) {
    pending.push({ update_id: nextUpdateId++, ...update } as Update);
    wake?.();
  }

  function botMessage(payload: Payload, content: Partial<Message>): Message {
    const replyTo =
      (payload.reply_parameters as { message_id?: number } | undefined)?.message_id ??
      (payload.reply_to_message_id as number | undefined);
    const message = {
      message_id: nextMessageId++,
      date: now(),
      chat: staffChat,
      from: demoBot,
      ...content,
      ...(payload.reply_markup ? { reply_markup: payload.reply_markup } : {}),
      ...(replyTo && messages.get(replyTo) ? { reply_to_message: messages.get(replyTo) } : {}),
    } as Message;
    messages.set(message.message_id, message);
    parseModes.set(message.message_id, payload.parse_mode);
    show(message);
    return message;
  }

  function edited(payload: Payload, change: (message: Message) => Partial<Message>): Message {
    const message = messages.get(Number(payload.message_id));
    if (!message) throw new Error('Bad Request: message to edit not found');
    // An edit without reply_markup takes the buttons away, as Telegram does.
    const next = { ...message, ...change(message), edit_date: now() } as Message;
    if (payload.reply_markup) next.reply_markup = payload.reply_markup as Message['reply_markup'];
    else delete next.reply_markup;
    if ('parse_mode' in payload) parseModes.set(next.message_id, payload.parse_mode);
    messages.set(next.message_id, next);
    show(next, { edited: true });
    return next;
  }

  /** The formatting the bot sent with a text or a caption (an edit without it has none). */
  const entitiesOf = (payload: Payload) => ({
    entities: payload.entities as MessageEntity[] | undefined,
    caption_entities: payload.caption_entities as MessageEntity[] | undefined,
  });

  const photoSizes = (fileId: string) => [
    { file_id: fileId, file_unique_id: `u${fileId}`, width: 800, height: 600 },
  ];

  async function call(method: string, payload: Payload, signal: AbortSignal): Promise<unknown> {
    switch (method) {
      case 'getMe':
        return demoBot;
      case 'getUpdates': {
        pollingStarted();
        const offset = Number(payload.offset ?? 0);
        pending.splice(0, pending.length, ...pending.filter((u) => u.update_id >= offset));
        if (pending.length === 0 && Number(payload.timeout ?? 0) > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, Math.min(Number(payload.timeout) * 1000, LONG_POLL_CAP_MS));
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
            signal.addEventListener('abort', () => wake?.());
          });
          wake = undefined;
        }
        return [...pending];
      }
      case 'sendMessage':
        return botMessage(payload, {
          text: String(payload.text),
          ...entitiesOf(payload),
        } as Partial<Message>);
      case 'sendPhoto':
        return botMessage(payload, {
          photo: photoSizes(fileOf(hub, payload.photo, payload, 'image/png')),
          ...(payload.caption ? { caption: String(payload.caption) } : {}),
          ...entitiesOf(payload),
        } as Partial<Message>);
      case 'sendDocument':
      case 'sendVideo': {
        const id = fileOf(hub, payload.document ?? payload.video, payload, 'application/octet-stream');
        return botMessage(payload, {
          document: { file_id: id, file_unique_id: `u${id}`, file_name: hub.file(id)?.name ?? 'file' },
          ...(payload.caption ? { caption: String(payload.caption) } : {}),
        } as Partial<Message>);
      }
      case 'editMessageText':
        return edited(
          payload,
          () => ({ text: String(payload.text), entities: entitiesOf(payload).entities }) as Partial<Message>,
        );
      case 'editMessageCaption':
        return edited(
          payload,
          () =>
            ({
              caption: String(payload.caption ?? ''),
              caption_entities: entitiesOf(payload).caption_entities,
            }) as Partial<Message>,
        );
      case 'editMessageReplyMarkup':
        return edited(payload, () => ({}));
      case 'editMessageMedia': {
        const media = payload.media as { media: unknown; caption?: string };
        return edited(
          payload,
          () =>
            ({
              photo: photoSizes(fileOf(hub, media.media, payload, 'image/png')),
              caption: media.caption ?? '',
            }) as Partial<Message>,
        );
      }
      case 'deleteMessage': {
        const message = messages.get(Number(payload.message_id));
        if (message) show(message, { deleted: true });
        return true;
      }
      case 'answerCallbackQuery':
        if (payload.text) hub.publish({ kind: 'toast', text: String(payload.text) });
        return true;
      case 'getChatMember': {
        const member = Object.values(STAFF).find((m) => m.user.id === Number(payload.user_id));
        if (!member) throw new Error('Bad Request: member not found');
        return { status: 'member', user: member.user };
      }
      case 'getChat':
        return staffChat;
      case 'getFile': {
        const id = String(payload.file_id);
        const file = hub.file(id);
        if (!file) throw new Error('Bad Request: invalid file_id');
        return {
          file_id: id,
          file_unique_id: `u${id}`,
          file_size: file.data.length,
          file_path: `files/${id}`,
        };
      }
      default:
        return true;
    }
  }

  const app = new Hono();
  app.get('/file/:bot/files/:id', (c) => {
    const file = hub.file(c.req.param('id'));
    return file ? c.body(new Uint8Array(file.data), 200, { 'content-type': file.mimeType }) : c.notFound();
  });
  app.post('/:bot/:method', async (c) => {
    try {
      const result = await call(c.req.param('method'), await readPayload(hub, c.req.raw), c.req.raw.signal);
      return c.json({ ok: true, result });
    } catch (err) {
      return c.json({ ok: false, error_code: 400, description: (err as Error).message });
    }
  });

  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    /** Resolves once the bot has started polling for updates. */
    polling,
    /** A staff member writes in the group: text, or a photo with the text as its caption. */
    say(as: StaffKey, input: { text: string; photoFileId?: string; replyTo?: number }) {
      const from: User = STAFF[as].user;
      const command = /^\/[A-Za-z0-9_]+(@\w+)?/.exec(input.text);
      const entities: MessageEntity[] = command
        ? [{ type: 'bot_command', offset: 0, length: command[0].length }]
        : [];
      const replyTo = input.replyTo === undefined ? undefined : messages.get(input.replyTo);
      const message = {
        message_id: nextMessageId++,
        date: now(),
        chat: staffChat,
        from,
        ...(input.photoFileId
          ? {
              photo: photoSizes(input.photoFileId),
              caption: input.text,
              ...(entities.length ? { caption_entities: entities } : {}),
            }
          : { text: input.text, ...(entities.length ? { entities } : {}) }),
        ...(replyTo ? { reply_to_message: replyTo } : {}),
      } as Message;
      messages.set(message.message_id, message);
      show(message);
      push({ message: message as Update['message'] });
    },
    /** A staff member presses a button under one of the bot's messages. */
    press(as: StaffKey, messageId: number, data: string): boolean {
      const message = messages.get(messageId);
      if (!message) return false;
      push({
        callback_query: {
          id: `cb${nextUpdateId}`,
          from: STAFF[as].user,
          chat_instance: `demo${STAFF_CHAT_ID}`,
          data,
          message,
        },
      } as Omit<Update, 'update_id'>);
      return true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        wake?.();
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

export type TelegramStandIn = Awaited<ReturnType<typeof startTelegramStandIn>>;
