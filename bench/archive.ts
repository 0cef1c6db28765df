import type { AddressInfo } from 'node:net';
import { createDraft } from '../src/core/bulletins.js';
import type { BulletinBody } from '../src/core/outlets.js';
import { openDatabase } from '../src/db/client.js';
import { createArchiveOutlet } from '../src/web/archive-outlet.js';
import { createWebApp, startWebServer } from '../src/web/server.js';

/**
 * Time to render the archive's `/` and `/feed.xml` with 1,000 archived bulletins, over real HTTP:
 * `node --import tsx bench/archive.ts` (PGlite), or with BENCH_DATABASE_URL on Postgres.
 * Prints the median and the slowest of 20 requests each, after 3 to warm up.
 */
const COUNT = 1_000;
const ROUNDS = 20;

const text = [
  'Chiusura temporanea di via Roma',
  'Da lunedì 7 a venerdì 11 la strada resta chiusa per lavori sulla rete idrica, dalle 8 alle 18.',
  'I residenti possono entrare da via Garibaldi. Informazioni sul sito del Comune o all’URP.',
].join('\n');
const body: BulletinBody = {
  text,
  entities: [
    { type: 'bold', offset: text.indexOf('lunedì'), length: 25 },
    { type: 'text_link', offset: text.indexOf('sito'), length: 4, url: 'https://comune.example.it/lavori' },
  ],
};

const url = process.env.BENCH_DATABASE_URL;
const database = await openDatabase(url ? { url } : {});
const outlet = createArchiveOutlet({ db: database.db, publicBaseUrl: 'https://notizie.comune.example.it' });
for (let n = 0; n < COUNT; n++) {
  const draft = await createDraft(database.db, { authorId: 1, adminIds: [1], text });
  await outlet.publish({
    bulletinId: draft.id,
    version: 1,
    code: draft.id.toString(16).padStart(8, '0'),
    body,
    category: n % 3 === 0 ? 'Viabilità' : null,
    urgent: false,
    approvedAt: new Date(),
    link: null,
    media: null,
  });
}
const app = createWebApp({
  health: () => ({ ok: true, reasons: [] }),
  archive: {
    db: database.db,
    comuneName: 'Comune di Prova',
    publicBaseUrl: 'https://notizie.comune.example.it',
  },
});
const server = await startWebServer(0, app);
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function time(path: string): Promise<{ medianMs: number; maxMs: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < ROUNDS + 3; i++) {
    const start = performance.now();
    const response = await fetch(`${base}${path}`);
    bytes = (await response.arrayBuffer()).byteLength;
    if (i >= 3) times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { medianMs: round(times[Math.floor(ROUNDS / 2)]!), maxMs: round(times.at(-1)!), bytes };
}

const result = {
  engine: database.engine,
  archived: COUNT,
  '/': await time('/'),
  '/feed.xml': await time('/feed.xml'),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
server.close();
await database.close();
