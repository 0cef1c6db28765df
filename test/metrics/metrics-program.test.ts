import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startBotApiServer } from '../helpers/bot-api.js';
import { migratedDataDir } from '../helpers/db-template.js';
import { botEnv, freePort, killProgram, type Program, root, startProgram } from '../helpers/program.js';
import { sampleValue, scrape } from '../helpers/prometheus.js';

/** How often the program's main thread went to sleep and woke again since it started (Linux). */
const wakeups = (pid: number) =>
  Number(
    /voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8'))?.[1],
  );

describe('GET /metrics on the running program', () => {
  let running: Program | undefined;
  afterEach(async () => {
    await killProgram(running);
    running = undefined;
  });

  it("answers on the health port with both roles' state and the process metrics, and lets the idle process sleep", async () => {
    const api = await startBotApiServer();
    const port = await freePort();
    const dataDir = await migratedDataDir(mkdtempSync(join(tmpdir(), 'banditore-data-')));
    try {
      running = startProgram([], {
        ...botEnv,
        TELEGRAM_API_ROOT: api.apiRoot,
        DATA_DIR: dataDir,
        PORT: String(port),
        WA_SOCKET_MODULE: join(root, 'test', 'helpers', 'child-socket.ts'),
      });
      await vi.waitFor(() => expect(api.calls('getUpdates').length, running?.output()).toBeGreaterThan(0), {
        timeout: 90_000,
      });
      const url = `http://127.0.0.1:${port}/metrics`;
      await vi.waitFor(
        async () => {
          const { samples } = await scrape(url);
          expect(sampleValue(samples, 'banditore_whatsapp_link', { state: 'waiting_for_link' })).toBe(1);
        },
        { timeout: 30_000 },
      );
      const { samples, text } = await scrape(url);
      expect(sampleValue(samples, 'banditore_info', { role: 'all' })).toBe(1);
      expect(sampleValue(samples, 'banditore_telegram_polling')).toBe(1);
      expect(sampleValue(samples, 'banditore_deliveries_sent_total')).toBe(0);
      expect(sampleValue(samples, 'banditore_subscribers', { list: 'notizie' })).toBe(0);
      expect(sampleValue(samples, 'process_cpu_seconds_total')).toBeGreaterThan(0);
      expect(sampleValue(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
      expect(text).not.toContain(botEnv.TELEGRAM_BOT_TOKEN);

      // Measuring the event loop's delay must not keep it awake: prom-client's default sampling
      // woke it 100 times a second, most of an idle process's CPU.
      const pid = running.child.pid!;
      const before = wakeups(pid);
      await sleep(3_000);
      expect(wakeups(pid) - before).toBeLessThan(30);
    } finally {
      await killProgram(running);
      await api.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 150_000);
});
