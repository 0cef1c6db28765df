import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realSettingsIn, refusalMessage } from './guard.js';
import { createHub, fileUrl } from './hub.js';
import { type DemoProgram, socketModule, startProgram } from './program.js';
import { whatsappHtml } from './render.js';
import { demoApp, serveDemo } from './server.js';
import { CITIZENS, DEMO_BOT_TOKEN, STAFF, STAFF_CHAT_ID } from './staff.js';
import { startTelegramStandIn } from './telegram.js';
import type { FromProgram } from './wa-protocol.js';

const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 20_000;
const startedAt = performance.now();

function fail(message: string): never {
  console.error(`banditore demo: ${message}`);
  process.exit(1);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** The program's settings for the demo: its stand-ins, a fresh database, a demo pace. */
function programEnv(input: { apiRoot: string; dataDir: string; port: number }): Record<string, string> {
  return {
    TELEGRAM_BOT_TOKEN: DEMO_BOT_TOKEN,
    TELEGRAM_API_ROOT: input.apiRoot,
    STAFF_CHAT_ID: String(STAFF_CHAT_ID),
    ADMIN_TELEGRAM_IDS: String(STAFF.anna.user.id),
    DATA_DIR: input.dataDir,
    PORT: String(input.port),
    WA_SOCKET_MODULE: socketModule,
    // A bulletin reaches three phones in seconds: one message a second, no caps, any hour.
    SEND_RATE_PER_MINUTE: '60',
    SEND_MAX_PER_HOUR: '1000',
    WARMUP_DAYS: '0',
    SEND_WINDOW: '00:00-24:00',
    // Visitors try the same keyword many times: answer each one.
    AUTO_REPLY_COOLDOWN_HOURS: '0',
    REPLY_MAX_PER_SENDER_HOUR: '20',
    COMUNE_NAME: 'Comune di Esempio',
    CONTACT_PHONE: '055 000 0000',
    CONTACT_EMAIL: 'urp@comune.esempio.example',
    PRIVACY_URL: 'https://comune.esempio.example/privacy',
    SHUTDOWN_TIMEOUT_SECONDS: '10',
    LOG_LEVEL: 'info',
  };
}

function lastLines(file: string, count = 15): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-count).join('\n');
  } catch {
    return '';
  }
}

async function main() {
  const real = realSettingsIn(process.env);
  if (real.length > 0) {
    console.error(refusalMessage(real));
    process.exit(1);
  }
  const demoPort = Number(process.env.DEMO_PORT ?? '8080');
  if (!Number.isInteger(demoPort) || demoPort < 0 || demoPort > 65535)
    fail('DEMO_PORT: set it to a TCP port such as 8080');

  const workDir = mkdtempSync(join(tmpdir(), 'banditore-demo-'));
  const hub = createHub();
  const telegram = await startTelegramStandIn(hub);
  let program: DemoProgram | undefined;
  let nextIncoming = 1;
  let linked: () => void = () => {};
  const linkOpen = new Promise<void>((resolve) => {
    linked = resolve;
  });

  function fromProgram(message: FromProgram) {
    if (message.type === 'open') return linked();
    if (message.type === 'sent') {
      const { id, jid, text, image, document } = message.message;
      const phone = CITIZENS.findIndex((c) => c.jid === jid);
      if (phone < 0) return;
      const imageId =
        image &&
        hub.addFile({
          data: Buffer.from(image.base64, 'base64'),
          mimeType: image.mimeType,
          name: 'immagine',
        });
      hub.publish({
        kind: 'phone',
        message: {
          id: `${jid}:${id}`,
          phone,
          fromCitizen: false,
          html: whatsappHtml(text),
          ...(imageId ? { image: fileUrl(imageId) } : {}),
          ...(document ? { document: document.fileName } : {}),
        },
      });
      return;
    }
    const shown = hub.phoneMessage(`${message.jid}:${message.id}`);
    if (shown && (shown.status ?? 0) < message.status)
      hub.publish({ kind: 'phone', message: { ...shown, status: message.status } });
  }

  const app = demoApp(hub, {
    say: telegram.say,
    press: telegram.press,
    citizenWrites(phone, text) {
      const citizen = CITIZENS[phone]!;
      const id = `3ADEMO${String(nextIncoming++).padStart(14, '0')}`;
      hub.publish({
        kind: 'phone',
        message: { id: `in:${id}`, phone, fromCitizen: true, html: whatsappHtml(text) },
      });
      program?.send({ type: 'incoming', jid: citizen.jid, text, pushName: citizen.name, id });
    },
  });
  let server: Server;
  try {
    server = await serveDemo(app, demoPort);
  } catch (err) {
    rmSync(workDir, { recursive: true, force: true });
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
      fail(`port ${demoPort} is taken; set DEMO_PORT to a free port, e.g. DEMO_PORT=8090 npm run demo`);
    throw err;
  }
  const pagePort = (server.address() as { port: number }).port;

  let stopping = false;
  const running = startProgram(
    workDir,
    programEnv({ apiRoot: telegram.apiRoot, dataDir: join(workDir, 'data'), port: await freePort() }),
    fromProgram,
  );
  program = running;
  void running.exited.then((code) => {
    if (stopping) return;
    console.error(`banditore demo: the program stopped (exit ${code}); the end of its log:`);
    console.error(lastLines(running.logFile));
    rmSync(workDir, { recursive: true, force: true });
    process.exit(1);
  });

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nbanditore demo: stopping\n');
    // Ctrl-C reaches the program too; a second signal is harmless to it.
    running.child.kill('SIGTERM');
    const timer = setTimeout(() => running.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await running.exited;
    clearTimeout(timer);
    server.closeAllConnections();
    server.close();
    await telegram.close();
    rmSync(workDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  const timeout = setTimeout(() => {
    console.error(`banditore demo: the program was not ready within ${READY_TIMEOUT_MS / 1000} s; its log:`);
    console.error(lastLines(running.logFile));
    void stop();
  }, READY_TIMEOUT_MS);
  await Promise.all([telegram.polling, linkOpen]);
  clearTimeout(timeout);
  // Anna is an amministratrice by configuration; she makes Marco a redattore, as a Comune would.
  telegram.say('anna', { text: `/ruolo ${STAFF.marco.user.id} redattore` });

  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  process.stdout.write(
    [
      `banditore demo: ready in ${seconds} s`,
      `banditore demo: open http://localhost:${pagePort}/demo`,
      'banditore demo: the real program against a stand-in Telegram and WhatsApp; nothing leaves this machine.',
      `banditore demo: program log in ${running.logFile}; Ctrl-C stops and deletes it all.`,
      '',
    ].join('\n'),
  );
}

await main();
