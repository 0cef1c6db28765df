import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST /{id}/messages as the stand-in saw it, and what it answered. */
export type GraphCall = {
  to: string;
  type: string;
  body: Record<string, unknown>;
  at: number;
  /** The wamid it was accepted under; undefined when it answered an error. */
  wamid?: string;
  error?: number;
};

/** An error the stand-in answers instead of accepting: HTTP status and Meta's code. */
export type GraphFailure = { http: number; code: number };

export type GraphStandIn = {
  apiRoot: string;
  calls: GraphCall[];
  /** Calls accepted (answered with a wamid). */
  accepted(): GraphCall[];
  uploads: { type: string; size: number }[];
  /** Decides, for each call (n from 1), an error to answer instead of a wamid. */
  failWhen(rule: ((call: GraphCall, n: number) => GraphFailure | undefined) | undefined): void;
  /** From the n-th call on, accept (wamid and status) but never answer: the response is lost. */
  hangFrom(n: number | undefined): void;
  /** Posts a 'sent' status to `url` for each accepted message, retried until it gets a 2xx. */
  sendStatusesTo(url: string, appSecret: string): void;
  /** Statuses still waiting to be posted. */
  pendingStatuses(): number;
  close(): Promise<void>;
};

export const PHONE_NUMBER_ID = '106540352242922';

/** The signature Meta puts on a webhook body. */
export function signBody(body: string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/** A webhook body with citizens' messages and/or statuses, shaped as Meta sends it. */
export function webhookBody(value: {
  messages?: { from: string; id: string; text: string; name?: string }[];
  statuses?: Record<string, unknown>[];
}): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
              ...(value.messages
                ? {
                    contacts: value.messages.map((m) => ({
                      profile: { name: m.name ?? 'Cittadino' },
                      wa_id: m.from,
                    })),
                    messages: value.messages.map((m) => ({
                      from: m.from,
                      id: m.id,
                      timestamp: String(Math.floor(Date.now() / 1000)),
                      type: 'text',
                      text: { body: m.text },
                    })),
                  }
                : {}),
              ...(value.statuses ? { statuses: value.statuses } : {}),
            },
          },
        ],
      },
    ],
  });
}

/** POSTs a signed webhook body to our server; the HTTP status it got. */
export async function postWebhook(url: string, body: string, appSecret: string): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, appSecret) },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A Graph API on loopback: records every message call, answers wamids (or the errors a test asks
 * for), takes media uploads, and, when told where, posts signed 'sent' statuses back like Meta
 * (a failed post is retried every 100 ms, as Meta retries).
 */
export async function startGraphStandIn(options: { latencyMs?: number } = {}): Promise<GraphStandIn> {
  const calls: GraphCall[] = [];
  const uploads: { type: string; size: number }[] = [];
  let rule: ((call: GraphCall, n: number) => GraphFailure | undefined) | undefined;
  let hangAt: number | undefined;
  let webhook: { url: string; secret: string } | undefined;
  const statuses: Record<string, unknown>[] = [];
  const hung: ServerResponse[] = [];
  let nextId = 1;
  let closed = false;

  function send(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  async function onMessage(req: IncomingMessage, res: ServerResponse) {
    const body = JSON.parse((await readBody(req)).toString('utf8')) as Record<string, unknown>;
    if (options.latencyMs) await new Promise((done) => setTimeout(done, options.latencyMs));
    const call: GraphCall = { to: String(body.to), type: String(body.type), body, at: Date.now() };
    calls.push(call);
    const failure = rule?.(call, calls.length);
    if (failure) {
      call.error = failure.code;
      send(res, failure.http, {
        error: {
          message: `stand-in error ${failure.code}`,
          type: 'OAuthException',
          code: failure.code,
          fbtrace_id: 'x',
        },
      });
      return;
    }
    call.wamid = `wamid.STANDIN${String(nextId++).padStart(10, '0')}`;
    statuses.push({
      id: call.wamid,
      status: 'sent',
      timestamp: String(Math.floor(Date.now() / 1000)),
      recipient_id: call.to,
      ...(body.biz_opaque_callback_data ? { biz_opaque_callback_data: body.biz_opaque_callback_data } : {}),
    });
    if (hangAt !== undefined && calls.length >= hangAt) {
      hung.push(res);
      return;
    }
    send(res, 200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: call.to, wa_id: call.to }],
      messages: [{ id: call.wamid }],
    });
  }

  const server: Server = createServer((req, res) => {
    const path = req.url?.split('?')[0] ?? '';
    if (req.headers.authorization !== 'Bearer test-access-token')
      return send(res, 401, { error: { code: 190, message: 'bad token' } });
    if (req.method === 'POST' && path === `/v23.0/${PHONE_NUMBER_ID}/messages`) {
      void onMessage(req, res).catch(() => send(res, 500, {}));
      return;
    }
    if (req.method === 'POST' && path === `/v23.0/${PHONE_NUMBER_ID}/media`) {
      void readBody(req).then((data) => {
        uploads.push({ type: String(req.headers['content-type']), size: data.length });
        send(res, 200, { id: `media${uploads.length}` });
      });
      return;
    }
    send(res, 404, { error: { code: 100, message: 'unknown path' } });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;

  // Meta batches statuses and retries failed posts: up to 100 statuses a post, again after 100 ms.
  const pump = (async () => {
    while (!closed) {
      const batch = webhook ? statuses.slice(0, 100) : [];
      if (webhook && batch.length > 0) {
        const status = await postWebhook(webhook.url, webhookBody({ statuses: batch }), webhook.secret).catch(
          () => 0,
        );
        if (status >= 200 && status < 300) {
          statuses.splice(0, batch.length);
          continue;
        }
      }
      await new Promise((done) => setTimeout(done, 100));
    }
  })();

  return {
    apiRoot: `http://127.0.0.1:${port}/v23.0`,
    calls,
    accepted: () => calls.filter((c) => c.wamid !== undefined),
    uploads,
    failWhen: (next) => {
      rule = next;
    },
    hangFrom: (n) => {
      hangAt = n;
    },
    sendStatusesTo: (url, secret) => {
      webhook = { url, secret };
    },
    pendingStatuses: () => statuses.length,
    async close() {
      closed = true;
      await pump;
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}
