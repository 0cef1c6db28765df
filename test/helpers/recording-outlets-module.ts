import { appendFileSync } from 'node:fs';
import type { BroadcastOutlet, OutletName } from '../../src/core/outlets.js';

/**
 * Loaded by the real program through OUTLETS_MODULE (as WA_SOCKET_MODULE loads a stand-in socket):
 * instant broadcast outlets that post at once and append each post (outlet, bulletin, time, the
 * process) to OUTLETS_RECORD_FILE synchronously. The bot role gets the Telegram channel and the
 * archive, the bridge role the WhatsApp Channel, as in production.
 */
function recordingOutlet(name: Exclude<OutletName, 'whatsapp'>): BroadcastOutlet {
  const file = process.env.OUTLETS_RECORD_FILE;
  if (!file) throw new Error('OUTLETS_RECORD_FILE is not set');
  let posts = 0;
  return {
    name,
    capabilities: { revoke: true, media: true, paced: false },
    async publish(bulletin) {
      posts += 1;
      const line = { outlet: name, bulletinId: bulletin.bulletinId, at: Date.now(), pid: process.pid };
      appendFileSync(file, `${JSON.stringify(line)}\n`);
      return { ok: true, externalId: `${name}-${posts}` };
    },
    revoke: async () => true,
    health: async () => ({ ok: true, detail: 'stand-in' }),
  };
}

export const botOutlets = () => [recordingOutlet('telegram_channel'), recordingOutlet('archive')];
export const bridgeOutlets = () => [recordingOutlet('whatsapp_channel')];
