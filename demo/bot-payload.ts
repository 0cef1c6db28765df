import type { Hub } from './hub.js';

/** A Bot API call's parameters, as grammY sent them. */
export type Payload = Record<string, unknown>;

/** Fields grammY sends as JSON text inside a multipart upload. */
function fieldValue(value: string): unknown {
  if (!/^[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** The parameters of a call: JSON, or a multipart upload whose files are kept in the hub as `{ id }`. */
export async function readPayload(hub: Hub, request: Request): Promise<Payload> {
  const type = request.headers.get('content-type') ?? '';
  if (type.startsWith('application/json')) return (await request.json()) as Payload;
  if (!type.startsWith('multipart/form-data') && !type.startsWith('application/x-www-form-urlencoded'))
    return {};
  const form = await request.formData();
  const payload: Payload = {};
  for (const [key, value] of form.entries()) {
    if (typeof value === 'string') {
      payload[key] = fieldValue(value);
      continue;
    }
    const data = Buffer.from(await value.arrayBuffer());
    payload[key] = {
      id: hub.addFile({ data, mimeType: value.type || 'application/octet-stream', name: value.name }),
    };
  }
  return payload;
}

/** The hub's id of a file the bot uploaded (directly or as attach://name), or sent again by id. */
export function fileOf(hub: Hub, value: unknown, payload: Payload, fallbackType: string): string {
  const attached =
    typeof value === 'string' && value.startsWith('attach://') ? payload[value.slice(9)] : value;
  if (typeof attached === 'object' && attached !== null && 'id' in attached) return String(attached.id);
  if (typeof attached === 'string' && hub.file(attached)) return attached;
  return hub.addFile({ data: Buffer.alloc(0), mimeType: fallbackType, name: 'file' });
}
