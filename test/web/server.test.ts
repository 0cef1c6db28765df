import { Hono } from 'hono';
import { afterEach, expect, it } from 'vitest';
import { startWebServer } from '../../src/web/server.js';
import { serveArchive } from '../helpers/archive.js';
import { describeWithDatabase } from '../helpers/db.js';

describeWithDatabase('the HTTP port', (ctx) => {
  let site: Awaited<ReturnType<typeof serveArchive>> | undefined;
  afterEach(async () => {
    await site?.close();
    site = undefined;
  });

  it('serves a mounted sub-app under its path beside /healthz and the archive', async () => {
    const webhook = new Hono();
    webhook.get('/', (c) => c.text(c.req.query('hub.challenge') ?? ''));
    webhook.post('/', async (c) => c.json({ received: (await c.req.json()) as unknown }));
    site = await serveArchive(ctx.db, { mounts: { '/webhooks/whatsapp': webhook } });

    const challenge = await fetch(`${site.url}/webhooks/whatsapp?hub.challenge=42`);
    const posted = await fetch(`${site.url}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ entry: [] }),
    });

    expect(await challenge.text()).toBe('42');
    expect(await posted.json()).toEqual({ received: { entry: [] } });
    expect((await fetch(`${site.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${site.url}/`)).status).toBe(200);
  });

  it('refuses to start on a port already taken', async () => {
    site = await serveArchive(ctx.db);
    const port = Number(new URL(site.url).port);

    await expect(startWebServer(port, new Hono())).rejects.toThrow(/EADDRINUSE/);
  });
});
