import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Hub } from './hub.js';
import { escapeHtml } from './render.js';
import { sampleImage } from './sample-image.js';
import { CITIZENS, isStaffKey, type StaffKey } from './staff.js';

const asset = (name: string) => readFileSync(join(import.meta.dirname, 'public', name), 'utf8');

/** What the page can do: write as staff, press a button, write from a phone. */
export type DemoActions = {
  say(as: StaffKey, input: { text: string; photoFileId?: string; replyTo?: number }): void;
  press(as: StaffKey, messageId: number, data: string): boolean;
  citizenWrites(phone: number, text: string): void;
};

const MAX_TEXT = 4096;

/** One phone per citizen: its chat and the box to write from it. */
function phonesHtml(): string {
  const phones = CITIZENS.map((citizen, i) => {
    const name = escapeHtml(citizen.name);
    return `<article class="phone" aria-labelledby="phone-${i}-title">
        <h3 id="phone-${i}-title">${name} <span class="number">${escapeHtml(citizen.number)}</span></h3>
        <div id="phone-${i}-log" class="log" role="log" aria-label="Chat di ${name} con il Comune"></div>
        <form data-phone="${i}">
          <label for="phone-${i}-text">Scrivi come ${name}</label>
          <input id="phone-${i}-text" type="text" autocomplete="off">
          <button type="submit">Invia</button>
        </form>
      </article>`;
  });
  return `<div class="phone-grid">${phones.join('\n      ')}</div>`;
}
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** The demo page and its small JSON API, on loopback only. */
export function demoApp(hub: Hub, actions: DemoActions): Hono {
  const app = new Hono();
  const page = asset('page.html').replace('<!--PHONES-->', phonesHtml());
  const script = asset('page.js');
  const style = asset('page.css');

  app.get('/', (c) => c.redirect('/demo'));
  app.get('/demo', (c) => c.html(page));
  app.get('/demo/page.js', (c) => c.body(script, 200, { 'content-type': 'text/javascript; charset=utf-8' }));
  app.get('/demo/page.css', (c) => c.body(style, 200, { 'content-type': 'text/css; charset=utf-8' }));
  app.get('/demo/files/:id', (c) => {
    const file = hub.file(c.req.param('id'));
    return file ? c.body(new Uint8Array(file.data), 200, { 'content-type': file.mimeType }) : c.notFound();
  });

  app.get('/demo/events', (c) =>
    streamSSE(c, async (stream) => {
      const queue = hub.snapshot();
      let wake: (() => void) | undefined;
      const unsubscribe = hub.subscribe((event) => {
        queue.push(event);
        wake?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      while (!stream.aborted) {
        for (const event of queue.splice(0)) await stream.writeSSE({ data: JSON.stringify(event) });
        await new Promise<void>((resolve) => {
          wake = resolve;
          // A comment now and then keeps proxies and the browser from closing an idle stream.
          setTimeout(resolve, 15_000);
        });
        if (queue.length === 0 && !stream.aborted) await stream.write(': idle\n\n');
      }
      unsubscribe();
    }),
  );

  app.post('/demo/staff', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as {
      as?: unknown;
      text?: unknown;
      sampleImage?: unknown;
      image?: { base64?: unknown; mimeType?: unknown };
      replyTo?: unknown;
    };
    const text = typeof body.text === 'string' ? body.text.slice(0, MAX_TEXT) : '';
    if (!isStaffKey(body.as) || (text.trim() === '' && !body.image && !body.sampleImage))
      return c.json({ error: 'Scrivi un messaggio.' }, 400);
    let photoFileId: string | undefined;
    if (body.sampleImage === true) {
      photoFileId = hub.addFile({ data: await sampleImage(), mimeType: 'image/png', name: 'esempio.png' });
    } else if (typeof body.image?.base64 === 'string') {
      const data = Buffer.from(body.image.base64, 'base64');
      if (data.length > MAX_IMAGE_BYTES) return c.json({ error: 'Immagine troppo grande (max 5 MB).' }, 400);
      const mimeType = typeof body.image.mimeType === 'string' ? body.image.mimeType : 'image/jpeg';
      photoFileId = hub.addFile({ data, mimeType, name: 'immagine' });
    }
    actions.say(body.as, {
      text,
      ...(photoFileId ? { photoFileId } : {}),
      ...(typeof body.replyTo === 'number' ? { replyTo: body.replyTo } : {}),
    });
    return c.json({ ok: true });
  });

  app.post('/demo/press', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as {
      as?: unknown;
      messageId?: unknown;
      data?: unknown;
    };
    if (!isStaffKey(body.as) || typeof body.messageId !== 'number' || typeof body.data !== 'string')
      return c.json({ error: 'Pulsante non valido.' }, 400);
    return actions.press(body.as, body.messageId, body.data)
      ? c.json({ ok: true })
      : c.json({ error: 'Messaggio non trovato.' }, 404);
  });

  app.post('/demo/phone', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { phone?: unknown; text?: unknown };
    const phone = typeof body.phone === 'number' ? body.phone : -1;
    const text = typeof body.text === 'string' ? body.text.slice(0, MAX_TEXT) : '';
    if (!CITIZENS[phone] || text.trim() === '') return c.json({ error: 'Scrivi un messaggio.' }, 400);
    actions.citizenWrites(phone, text);
    return c.json({ ok: true });
  });
  return app;
}

/** Serves the page on loopback at `port`; rejects when the port is taken. */
export function serveDemo(app: Hono, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }) as Server;
    server.once('error', reject);
    server.once('listening', () => resolve(server));
  });
}
