import { Writable } from 'node:stream';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { socketConfig } from '../src/whatsapp/socket.js';

const TOKEN = '7012345678:AAHkq3xYz-0123456789abcdefGHIJKLmnop';
const PHONE = '393337654321';
const LID = '140000000000999';

function capture(level = 'trace') {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger(level, stream), lines, parsed: () => lines.map((l) => JSON.parse(l)) };
}

/** grammY's HttpError as it reaches our logs: node-fetch's error, with the URL, under `error`. */
function networkError(path: string): Error {
  const cause = Object.assign(
    new Error(
      `request to https://api.telegram.org/bot${TOKEN}/${path} failed, reason: getaddrinfo EAI_AGAIN`,
    ),
    { type: 'system', code: 'EAI_AGAIN' },
  );
  return Object.assign(new Error(`Network request for '${path}' failed!`), {
    error: cause,
    name: 'HttpError',
  });
}

describe('createLogger', () => {
  it('scrubs the bot token from errors, their nested causes and stacks, at every level', () => {
    const { logger, lines, parsed } = capture();
    logger.trace({ err: networkError('getUpdates') }, 'fetching updates failed');
    logger.error(networkError('file/documents/x.pdf'));
    logger.warn({ err: new Error('outer', { cause: networkError('getMe') }) }, 'wrapped');

    expect(lines.join('')).not.toContain(TOKEN.split(':')[1]);
    const [first] = parsed();
    expect(first.err.type).toBe('Error');
    expect(first.err.error.message).toBe(
      'request to https://api.telegram.org/bot[redacted]/getUpdates failed, reason: getaddrinfo EAI_AGAIN',
    );
    expect(first.err.error.stack).toContain('/bot[redacted]/getUpdates');
    expect(parsed()[1].msg).toBe("Network request for 'file/documents/x.pdf' failed!");
  });

  it('scrubs jids, LIDs and numbers that Baileys logs at the top level, and child bindings', () => {
    const { logger, lines, parsed } = capture();
    const baileys = socketConfig({
      auth: { creds: {} as never, keys: {} as never },
      logger,
      getMessage: async () => undefined,
    }).logger;
    baileys.warn({ msgId: '3EB0C767D26A1D1A', from: `${PHONE}@s.whatsapp.net` }, 'error 463');
    baileys.warn({ participant: `${LID}:3@lid`, retryCount: 2 }, 'base key collision on retry');
    baileys.child({ jid: `${PHONE}:12@s.whatsapp.net` }).error({ user: PHONE }, 'for +%s', PHONE);
    logger.info(
      { key: { remoteJid: `${LID}@lid`, id: '3A0000000000000000000012' }, text: 'ciao', pushName: 'Maria' },
      'in',
    );

    const log = lines.join('');
    for (const secret of [PHONE, LID, 'ciao', 'Maria']) expect(log).not.toContain(secret);
    const [from, participant, child, inbound] = parsed();
    expect(from).toMatchObject({
      msgId: '3EB0C767D26A1D1A',
      from: '[redacted]@s.whatsapp.net',
      module: 'baileys',
    });
    expect(participant).toMatchObject({ participant: '[redacted]@lid', retryCount: 2 });
    expect(child).toMatchObject({
      jid: '[redacted]@s.whatsapp.net',
      user: '[redacted]',
      msg: 'for +[redacted]',
    });
    // Message ids keep their digits: inside a longer word they are no number.
    expect(inbound.key).toEqual({ remoteJid: '[redacted]@lid', id: '3A0000000000000000000012' });
  });

  it('leaves out key bytes and keeps numbers, dates and the line’s time', () => {
    const { logger, parsed } = capture('info');
    const at = new Date('2026-03-02T09:30:00Z');
    logger.info({ privKey: Buffer.from('secret key'), bulletinId: 12345678901, at }, 'saved');

    const [line] = parsed();
    expect(line).toMatchObject({
      privKey: '[10 bytes]',
      bulletinId: 12345678901,
      at: '2026-03-02T09:30:00.000Z',
    });
    expect(typeof line.time).toBe('number');
  });

  it("leaves out a failed query's parameters (texts, key bytes) from its message, stack and fields", () => {
    const { logger, lines, parsed } = capture('info');
    const key = '{"type":"Buffer","data":"c2VjcmV0a2V5Ynl0ZXM="}';
    const err = new DrizzleQueryError(
      'insert into "inbound_messages" ("pending") values ($1, $2)',
      [key, 'Testo riservato\n    di una cittadina'],
      new Error('write CONNECTION_CLOSED'),
    );
    logger.warn({ err }, 'inbound messages not recorded; retrying');
    const text = lines.join('');
    expect(text).not.toContain('c2VjcmV0a2V5Ynl0ZXM');
    expect(text).not.toContain('riservato');
    expect(text).not.toContain('cittadina');
    const [line] = parsed();
    // What failed stays readable: the query and the cause.
    expect(line.err.message).toBe(
      `Failed query: insert into "inbound_messages" ("pending") values ($1, $2)\nparams: [redacted]`,
    );
    expect(line.err.stack).toMatch(/^Error: Failed query: .*\nparams: \[redacted\]\n {4}at /);
    expect(line.err.cause.message).toBe('write CONNECTION_CLOSED');
  });
});
