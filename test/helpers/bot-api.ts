import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Api, RawApi, Transformer } from 'grammy';
import type { Chat, Message, MessageEntity, Update, User, UserFromGetMe } from 'grammy/types';

/** The bot as Telegram describes it; passed as `botInfo` so no test calls getMe. */
export const botInfo: UserFromGetMe = {
  id: 424242,
  is_bot: true,
  first_name: 'Banditore',
  username: 'banditore_test_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

export type RecordedCall = { method: string; payload: Record<string, unknown>; result?: unknown };
type Failure = { error_code: number; description: string };

function chatOf(id: number): Chat.GroupChat | Chat.SupergroupChat | Chat.PrivateChat {
  return id < 0 ? { id, type: 'supergroup', title: 'Staff' } : { id, type: 'private', first_name: 'Persona' };
}

/** Files the Bot API stand-in holds: getFile describes them, the file endpoint serves them. */
type FileStore = Map<string, { data: Buffer; size: number }>;

const filePath = (fileId: string) => `documents/${fileId}`;

/** Plausible Bot API results: what Telegram answers each method with. */
function createFakeTelegram(files: FileStore) {
  let nextMessageId = 1000;
  const now = () => Math.floor(Date.now() / 1000);
  return (method: string, payload: Record<string, unknown>): unknown => {
    const chatId = Number(payload.chat_id);
    switch (method) {
      case 'getMe':
        return botInfo;
      case 'sendMessage':
        return {
          message_id: nextMessageId++,
          date: now(),
          chat: chatOf(chatId),
          from: botInfo,
          text: String(payload.text),
          ...(payload.reply_markup ? { reply_markup: payload.reply_markup } : {}),
        };
      case 'editMessageText':
        return {
          message_id: payload.message_id,
          date: now(),
          edit_date: now(),
          chat: chatOf(chatId),
          text: payload.text,
        };
      case 'sendPhoto':
        return {
          message_id: nextMessageId++,
          date: now(),
          chat: chatOf(chatId),
          from: botInfo,
          photo: [
            {
              file_id: `photo${nextMessageId}`,
              file_unique_id: `u${nextMessageId}`,
              width: 300,
              height: 300,
            },
          ],
          ...(payload.caption ? { caption: payload.caption } : {}),
        };
      case 'sendVideo':
      case 'sendDocument':
        return {
          message_id: nextMessageId++,
          date: now(),
          chat: chatOf(chatId),
          from: botInfo,
          [method === 'sendVideo' ? 'video' : 'document']: {
            file_id: String(payload.video ?? payload.document),
            file_unique_id: `u${nextMessageId}`,
          },
          ...(payload.caption ? { caption: payload.caption } : {}),
        };
      case 'editMessageCaption':
        return {
          message_id: payload.message_id,
          date: now(),
          edit_date: now(),
          chat: chatOf(chatId),
          caption: payload.caption,
        };
      case 'getFile': {
        const fileId = String(payload.file_id);
        const file = files.get(fileId);
        return file
          ? {
              file_id: fileId,
              file_unique_id: `u${fileId}`,
              file_size: file.size,
              file_path: filePath(fileId),
            }
          : undefined;
      }
      case 'editMessageMedia':
        return { message_id: payload.message_id, date: now(), edit_date: now(), chat: chatOf(chatId) };
      case 'getUpdates':
        return [];
      case 'getChat':
        return { id: chatId || -1001000000001, type: 'channel', title: 'Notizie del Comune' };
      case 'getChatMember': {
        const user = people.get(Number(payload.user_id));
        if (!user) throw new Error('Bad Request: member not found');
        return { status: 'member', user };
      }
      default:
        return true;
    }
  };
}

export type BotApiRecorder = {
  /** Every payload sent with `method`, oldest first. */
  calls(method: string): Record<string, unknown>[];
  /** What Telegram answered to each successful `method` call, oldest first. */
  results<T = unknown>(method: string): T[];
  all: RecordedCall[];
  /** The next call of `method` fails as Telegram would fail it. */
  failNext(method: string, failure?: Failure): void;
  /** The next call of `method` is answered with `result` instead of the usual one. */
  answerNext(method: string, result: unknown): void;
  /** Resolves once `method` has been called `count` times in all. */
  waitForCall(method: string, count?: number): Promise<void>;
  /** A file getFile will describe (as `size` bytes, default its length) and the file endpoint serve. */
  addFile(fileId: string, data: Buffer, size?: number): void;
};

function createRecorder() {
  const all: RecordedCall[] = [];
  const failures = new Map<string, Failure[]>();
  const answers = new Map<string, unknown[]>();
  const waiters: { method: string; count: number; resolve: () => void }[] = [];
  const files: FileStore = new Map();
  const fake = createFakeTelegram(files);
  const calls = (method: string) => all.filter((c) => c.method === method).map((c) => c.payload);

  function handle(method: string, payload: Record<string, unknown>) {
    const call: RecordedCall = { method, payload };
    all.push(call);
    for (const waiter of [...waiters]) {
      if (waiter.method === method && calls(method).length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
    const failure = failures.get(method)?.shift();
    if (failure) return { ok: false as const, ...failure };
    if (method === 'getFile' && !files.has(String(payload.file_id)))
      return { ok: false as const, error_code: 400, description: 'Bad Request: invalid file_id' };
    const answer = answers.get(method)?.shift();
    try {
      call.result = answer !== undefined ? answer : fake(method, payload);
    } catch (err) {
      // Telegram's own refusals (a member not found...) as a failed call.
      return { ok: false as const, error_code: 400, description: (err as Error).message };
    }
    return { ok: true as const, result: call.result };
  }

  const recorder: BotApiRecorder = {
    all,
    calls,
    results: <T>(method: string) =>
      all.filter((c) => c.method === method && 'result' in c).map((c) => c.result as T),
    failNext(method, failure = { error_code: 400, description: 'Bad Request: test failure' }) {
      failures.set(method, [...(failures.get(method) ?? []), failure]);
    },
    answerNext(method, result) {
      answers.set(method, [...(answers.get(method) ?? []), result]);
    },
    addFile(fileId, data, size = data.length) {
      files.set(fileId, { data, size });
    },
    waitForCall(method, count = 1) {
      if (calls(method).length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ method, count, resolve }));
    },
  };
  return { recorder, handle, files };
}

/** Installs a recorded Bot API on `api` (usually `bot.api`): nothing leaves the process. */
export function recordBotApi(api: Api): BotApiRecorder {
  const { recorder, handle } = createRecorder();
  const transformer: Transformer<RawApi> = async (_prev, method, payload) =>
    handle(method, { ...(payload as Record<string, unknown>) }) as never;
  api.config.use(transformer);
  return recorder;
}

let nextUpdateId = 1;
let nextMessageId = 1;

/**
 * Everyone made with person() or seen in a message made here: the stand-in answers getChatMember
 * with them. Test files in one worker share this module and are all imported before any runs, so
 * a file's top-level person(1, 'Anna') may be overwritten by the next file's person(1, ...): a
 * message re-registers its sender when the test makes it.
 */
const people = new Map<number, User>();

export function person(id: number, firstName = `Persona${id}`): User {
  const user: User = { id, is_bot: false, first_name: firstName };
  people.set(id, user);
  return user;
}

/** A text message; a leading `/command` carries the bot_command entity Telegram adds. */
export function textMessage(input: {
  chatId: number;
  from: User;
  text: string;
  replyTo?: Message;
  entities?: MessageEntity[];
}): Message {
  people.set(input.from.id, input.from);
  const command = /^\/[A-Za-z0-9_]+(@\w+)?/.exec(input.text);
  const entities = [
    ...(command ? [{ type: 'bot_command' as const, offset: 0, length: command[0].length }] : []),
    ...(input.entities ?? []),
  ];
  return {
    message_id: nextMessageId++,
    date: Math.floor(Date.now() / 1000),
    chat: chatOf(input.chatId),
    from: input.from,
    text: input.text,
    ...(entities.length > 0 ? { entities } : {}),
    ...(input.replyTo ? { reply_to_message: { ...input.replyTo, reply_to_message: undefined } } : {}),
  } as Message;
}

export function messageUpdate(input: Parameters<typeof textMessage>[0]): Update {
  return { update_id: nextUpdateId++, message: textMessage(input) as Update['message'] };
}

/** A press on an inline button of `message` (a message the bot sent). */
export function callbackUpdate(input: { from: User; data: string; message: Message }): Update {
  return {
    update_id: nextUpdateId++,
    callback_query: {
      id: String(nextUpdateId * 7919),
      from: input.from,
      chat_instance: `ci${input.message.chat.id}`,
      data: input.data,
      message: input.message,
    },
  };
}

/** Text fields of a multipart body as given; file parts are recorded by name and size only. */
function readMultipart(body: string, type: string): Record<string, unknown> {
  const boundary = /boundary=("?)([^";]+)\1/.exec(type)?.[2];
  const fields: Record<string, unknown> = {};
  if (!boundary) return fields;
  for (const part of body.split(`--${boundary}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const head = part.slice(0, split);
    const value = part.slice(split + 4).replace(/\r\n$/, '');
    const name = /name="([^"]+)"/.exec(head)?.[1];
    if (!name) continue;
    fields[name] = /filename="/.test(head)
      ? `[file ${value.length} bytes]`
      : Buffer.from(value, 'latin1').toString('utf8');
  }
  return fields;
}

/** Streams a file in chunks as the reader takes them (no length announced); stops when it hangs up. */
async function serveFile(res: ServerResponse, data: Buffer, onWritten: (bytes: number) => void) {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  const CHUNK = 64 * 1024;
  for (let at = 0; at < data.length && !res.destroyed; at += CHUNK) {
    const chunk = data.subarray(at, at + CHUNK);
    const flushed = res.write(chunk);
    onWritten(chunk.length);
    if (!flushed)
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.once('drain', done);
        res.once('close', done);
      });
  }
  if (!res.destroyed) res.end();
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const type = req.headers['content-type'] ?? '';
  // grammY uploads files (sendPhoto with an InputFile) as multipart form data.
  if (type.startsWith('multipart/form-data'))
    return readMultipart(Buffer.concat(chunks).toString('latin1'), type);
  const body = Buffer.concat(chunks).toString('utf8');
  return body === '' ? {} : (JSON.parse(body) as Record<string, unknown>);
}

export type BotApiServer = BotApiRecorder & {
  apiRoot: string;
  /** Bytes of the file actually written to the downloader, once its download has ended either way. */
  served(fileId: string): Promise<number>;
  /** Queues updates for the next getUpdates, as Telegram would deliver them. */
  push(...updates: Update[]): void;
  close(): Promise<void>;
};

/**
 * The Bot API over HTTP on loopback, for code that builds its own Bot (point `apiRoot` here); on
 * `port` when given (Telegram coming back where a program has been trying to reach it).
 */
export async function startBotApiServer(options: { port?: number } = {}): Promise<BotApiServer> {
  const { recorder, handle, files } = createRecorder();
  const pending: Update[] = [];
  const served = new Map<string, number>();
  const downloads = new Map<string, Promise<void>>();
  let wakePoll: (() => void) | undefined;

  const server = createServer(async (req, res) => {
    const download = /^\/file\/bot[^/]+\/documents\/(.+)$/.exec(req.url ?? '');
    if (download) {
      const fileId = decodeURIComponent(download[1]!);
      const file = files.get(fileId);
      if (!file) {
        res.writeHead(404).end();
        return;
      }
      const serving = serveFile(res, file.data, (n) => served.set(fileId, (served.get(fileId) ?? 0) + n));
      downloads.set(fileId, serving);
      await serving;
      return;
    }
    const method = (req.url ?? '').split('/').pop() ?? '';
    const payload = await readJson(req);
    const answer = handle(method, payload);
    if (method === 'getUpdates' && answer.ok) {
      const offset = Number(payload.offset ?? 0);
      pending.splice(0, pending.length, ...pending.filter((u) => u.update_id >= offset));
      if (pending.length === 0 && Number(payload.timeout ?? 0) > 0) {
        await new Promise<void>((resolve) => {
          wakePoll = resolve;
          // The runner aborts its long poll on stop; the connection closes under us.
          res.once('close', resolve);
        });
      }
    }
    const body = method === 'getUpdates' && answer.ok ? { ok: true, result: [...pending] } : answer;
    if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    ...recorder,
    apiRoot: `http://127.0.0.1:${port}`,
    async served(fileId) {
      await downloads.get(fileId);
      return served.get(fileId) ?? 0;
    },
    push(...updates) {
      pending.push(...updates);
      wakePoll?.();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A photo, video or document message as Telegram delivers it; a caption starting with /command gets its entity. */
export function fileMessage(input: {
  chatId: number;
  from: User;
  file:
    | { kind: 'photo'; fileId: string; size?: number }
    | { kind: 'video'; fileId: string; size?: number }
    | { kind: 'document'; fileId: string; size?: number; mimeType: string; fileName: string };
  caption?: string;
  captionEntities?: MessageEntity[];
  replyTo?: Message;
}): Message {
  const { file } = input;
  const sized = file.size === undefined ? {} : { file_size: file.size };
  const media =
    file.kind === 'photo'
      ? {
          photo: [
            { file_id: `${file.fileId}-small`, file_unique_id: 's', width: 90, height: 90, file_size: 900 },
            { file_id: file.fileId, file_unique_id: 'l', width: 1280, height: 960, ...sized },
          ],
        }
      : file.kind === 'video'
        ? {
            video: {
              file_id: file.fileId,
              file_unique_id: 'v',
              width: 640,
              height: 360,
              duration: 5,
              mime_type: 'video/mp4',
              ...sized,
            },
          }
        : {
            document: {
              file_id: file.fileId,
              file_unique_id: 'd',
              mime_type: file.mimeType,
              file_name: file.fileName,
              ...sized,
            },
          };
  const command = input.caption ? /^\/[A-Za-z0-9_]+(@\w+)?/.exec(input.caption) : null;
  const entities = [
    ...(command ? [{ type: 'bot_command' as const, offset: 0, length: command[0].length }] : []),
    ...(input.captionEntities ?? []),
  ];
  return {
    message_id: nextMessageId++,
    date: Math.floor(Date.now() / 1000),
    chat: chatOf(input.chatId),
    from: input.from,
    ...media,
    ...(input.caption === undefined ? {} : { caption: input.caption }),
    ...(entities.length > 0 ? { caption_entities: entities } : {}),
    ...(input.replyTo ? { reply_to_message: { ...input.replyTo, reply_to_message: undefined } } : {}),
  } as Message;
}

/** Any message as an update. */
export function updateOf(message: Message): Update {
  return { update_id: nextUpdateId++, message: message as Update['message'] };
}
