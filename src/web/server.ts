import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { Health, MetricsHandler } from '../health.js';
import { notFoundPage } from './archive-pages.js';
import { type ArchiveSite, createArchiveRoutes } from './archive-routes.js';
import { createHealthRoutes } from './health-routes.js';

/** Anything with a fetch handler: another Hono app (the Cloud API webhook, the demo). */
export type SubApp = { fetch: (request: Request) => Response | Promise<Response> };

/** The parts of the one HTTP port; each is optional but health. */
export type WebParts = {
  health: () => Promise<Health> | Health;
  metrics?: MetricsHandler | undefined;
  /** Mounted at their path with the path stripped, e.g. `{ '/webhooks/whatsapp': cloudApi }`. */
  mounts?: Record<string, SubApp> | undefined;
  /** Hono apps whose routes carry their full path (the Cloud API webhook at /webhooks/whatsapp). */
  routes?: Hono[] | undefined;
  /** The public archive and its feeds at `/`. */
  archive?: ArchiveSite | undefined;
};

/** The app on the HTTP port: /healthz and /metrics, the mounted sub-apps, the public archive. */
export function createWebApp(parts: WebParts): Hono {
  const app = new Hono();
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        mediaSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
      strictTransportSecurity: false,
      // A handler may say otherwise (media and feeds are read from other origins).
      overwrite: false,
    }),
  );
  app.route('/', createHealthRoutes(parts.health, parts.metrics));
  for (const [path, sub] of Object.entries(parts.mounts ?? {})) app.mount(path, sub.fetch);
  for (const routes of parts.routes ?? []) app.route('/', routes);
  if (parts.archive) app.route('/', createArchiveRoutes(parts.archive));
  const site = { comune: parts.archive?.comuneName ?? 'Comune', base: parts.archive?.publicBaseUrl ?? '' };
  app.notFound((c) => c.html(notFoundPage(site), 404));
  return app;
}

/** Listens on `port` (0: any free one); rejects when the port cannot be taken. */
export async function startWebServer(port: number, app: Hono): Promise<Server> {
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
