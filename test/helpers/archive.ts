import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { storeMedia } from '../../src/core/media.js';
import type { BulletinBody, OutgoingBulletin } from '../../src/core/outlets.js';
import type { Db } from '../../src/db/client.js';
import { createArchiveOutlet } from '../../src/web/archive-outlet.js';
import { createWebApp, startWebServer, type WebParts } from '../../src/web/server.js';
import { approvedBulletin } from './seed.js';

/** The archive's web app on a free loopback port, as the program serves it. */
export async function serveArchive(
  db: Db,
  site: { publicBaseUrl?: string; comuneName?: string; mounts?: WebParts['mounts'] } = {},
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const app = createWebApp({
    health: () => ({ ok: true, reasons: [] }),
    archive: { db, comuneName: site.comuneName ?? 'Comune di Prova', publicBaseUrl: site.publicBaseUrl },
    mounts: site.mounts,
  });
  const server = await startWebServer(0, app);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

export function archiveOutlet(db: Db, publicBaseUrl?: string) {
  return createArchiveOutlet({ db, publicBaseUrl });
}

/** A plain body: text without formatting. */
export const plain = (text: string): BulletinBody => ({ text, entities: [] });

/**
 * An approved bulletin (a real row, drafted by admin 1 and approved by "Approvatore") as a
 * broadcast outlet receives it.
 */
export async function outgoing(
  db: Db,
  body: BulletinBody,
  options: Partial<Omit<OutgoingBulletin, 'bulletinId' | 'body'>> = {},
): Promise<OutgoingBulletin> {
  const { id } = await approvedBulletin(db, body.text || 'solo allegato');
  return {
    bulletinId: id,
    version: 1,
    code: `c0de${id}`,
    body,
    category: null,
    urgent: false,
    approvedAt: new Date(),
    link: null,
    media: null,
    ...options,
  };
}

/** Keeps a file in `media`, as a draft with media does, and describes it as an outgoing bulletin's. */
export async function keptMedia(
  db: Db,
  file: { kind: 'image' | 'video' | 'document'; mimeType: string; fileName?: string; data: Buffer },
): Promise<NonNullable<OutgoingBulletin['media']>> {
  const { sha256 } = await storeMedia(db, {
    kind: file.kind,
    mimeType: file.mimeType,
    fileName: file.fileName ?? null,
    data: file.data,
    telegramFileId: `tg-${file.kind}`,
  });
  return {
    kind: file.kind,
    mimeType: file.mimeType,
    fileName: file.fileName ?? null,
    sha256,
    telegramFileId: `tg-${file.kind}`,
    bytes: async () => file.data,
  };
}

/** A 1x1 transparent PNG. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
