import type { CloudStatus } from '../core/cloud-sends.js';
import { cleanPushName } from '../core/inbound.js';

/** A citizen's message as a webhook carries it. */
export type CloudInbound = {
  id: string;
  /** The sender's number, digits only (wa_id). */
  from: string;
  name: string | undefined;
  text: string;
  at: Date;
};

type Value = {
  contacts?: { wa_id?: string; profile?: { name?: string } }[];
  messages?: {
    id?: string;
    from?: string;
    timestamp?: string;
    type?: string;
    text?: { body?: string };
    button?: { text?: string };
    interactive?: { button_reply?: { title?: string }; list_reply?: { title?: string } };
    image?: { caption?: string };
    video?: { caption?: string };
    document?: { caption?: string };
  }[];
  statuses?: {
    id?: string;
    status?: string;
    biz_opaque_callback_data?: string;
    errors?: { code?: number }[];
  }[];
};

/** An array where Meta promises one; anything else reads as none. */
const list = <T>(value: T[] | undefined): T[] => (Array.isArray(value) ? value : []);

const STATUSES = new Set(['sent', 'delivered', 'read', 'failed']);

/**
 * Reads a webhook body (pure): citizens' messages and the statuses of what we sent. Anything else
 * (other fields, unknown shapes, a body that is not JSON) reads as nothing.
 */
export function readWebhook(body: string): { messages: CloudInbound[]; statuses: CloudStatus[] } {
  const messages: CloudInbound[] = [];
  const statuses: CloudStatus[] = [];
  let parsed: { entry?: { changes?: { field?: string; value?: Value }[] }[] };
  try {
    parsed = JSON.parse(body);
  } catch {
    return { messages, statuses };
  }
  for (const entry of Array.isArray(parsed?.entry) ? parsed.entry : []) {
    for (const change of Array.isArray(entry?.changes) ? entry.changes : []) {
      if (change?.field !== 'messages' || !change.value) continue;
      const { value } = change;
      const names = new Map(list(value.contacts).map((c) => [c?.wa_id, cleanPushName(c?.profile?.name)]));
      for (const m of list(value.messages)) {
        if (typeof m?.id !== 'string' || !/^[\x21-\x7e]{1,256}$/.test(m.id)) continue;
        if (typeof m.from !== 'string' || !/^\d{5,20}$/.test(m.from)) continue;
        const text =
          [
            m.text?.body,
            m.button?.text,
            m.interactive?.button_reply?.title,
            m.interactive?.list_reply?.title,
            m.image?.caption,
            m.video?.caption,
            m.document?.caption,
          ].find((t): t is string => typeof t === 'string') ?? '';
        const seconds = Number(m.timestamp);
        // A window opened by a message "from the future" would let free-form messages go too long.
        const at =
          Number.isFinite(seconds) && seconds > 0
            ? new Date(Math.min(seconds * 1000, Date.now()))
            : new Date();
        messages.push({
          id: m.id,
          from: m.from,
          name: names.get(m.from) ?? undefined,
          text,
          at,
        });
      }
      for (const s of list(value.statuses)) {
        if (
          typeof s?.id !== 'string' ||
          !/^[\x21-\x7e]{1,256}$/.test(s.id) ||
          !STATUSES.has(String(s.status))
        )
          continue;
        const opaque = s.biz_opaque_callback_data;
        statuses.push({
          wamid: s.id,
          deliveryId: opaque && /^\d{1,15}$/.test(opaque) ? Number(opaque) : undefined,
          status: s.status as CloudStatus['status'],
          errorCode: typeof s.errors?.[0]?.code === 'number' ? s.errors[0].code : undefined,
        });
      }
    }
  }
  return { messages, statuses };
}
