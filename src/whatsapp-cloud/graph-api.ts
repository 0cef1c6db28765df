/** The calls this transport makes to Meta's Graph API (see ../shared/notes/CLOUD-API.md). */

export type GraphApiConfig = { apiRoot: string; phoneNumberId: string; accessToken: string };

/** The API refused a call: HTTP status and, when it said, its error code. */
export class GraphApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'GraphApiError';
  }
}

export type GraphApi = {
  /** POST /{phone-number-id}/messages; the wamid of the accepted message. */
  sendMessage(body: Record<string, unknown>): Promise<string>;
  /** POST /{phone-number-id}/media (multipart); the media id to send by. */
  uploadMedia(file: { data: Buffer; mimeType: string; fileName: string }): Promise<string>;
};

/** How long one call may take before it counts as failed (its outcome then unknown). */
const CALL_TIMEOUT_MS = 30_000;

async function answerOf(response: Response): Promise<Record<string, unknown>> {
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (response.ok) return body;
  const error = (body.error ?? {}) as { code?: unknown; message?: unknown };
  const code = typeof error.code === 'number' ? error.code : undefined;
  // Meta's message names the problem, never the recipient's number or our token.
  const message = typeof error.message === 'string' ? error.message.slice(0, 200) : response.statusText;
  throw new GraphApiError(
    response.status,
    code,
    `Graph API ${response.status}${code ? ` (${code})` : ''}: ${message}`,
  );
}

export function createGraphApi(config: GraphApiConfig): GraphApi {
  const base = `${config.apiRoot}/${config.phoneNumberId}`;
  const auth = { authorization: `Bearer ${config.accessToken}` };
  return {
    async sendMessage(body) {
      const response = await fetch(`${base}/messages`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
      const answer = await answerOf(response);
      const [message] = (answer.messages ?? []) as { id?: unknown }[];
      if (typeof message?.id !== 'string') throw new Error('Graph API accepted the message without a wamid');
      return message.id;
    },
    async uploadMedia(file) {
      const form = new FormData();
      form.append('messaging_product', 'whatsapp');
      form.append('type', file.mimeType);
      form.append('file', new Blob([new Uint8Array(file.data)], { type: file.mimeType }), file.fileName);
      const response = await fetch(`${base}/media`, {
        method: 'POST',
        headers: auth,
        body: form,
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS * 4),
      });
      const answer = await answerOf(response);
      if (typeof answer.id !== 'string') throw new Error('Graph API stored the media without an id');
      return answer.id;
    },
  };
}

/** What an error means for the sender, by Meta's code (and HTTP status where no code says). */
export type CloudErrorKind =
  | 'throughput' // 130429, HTTP 429 or 503: slow down, try again
  | 'pair_rate' // 131056: too many to this one person: later
  | 'undeliverable' // 131026: not on WhatsApp, old app, terms not accepted: never
  | 'reengagement' // 131047: outside the 24-hour window without a template: never
  | 'spam_limit' // 131048: stop everything, tell a person
  | 'policy_block' // 368: stop everything, tell a person
  | 'token' // 190 or HTTP 401: stop everything until the token is renewed
  | 'template' // 132000/132001/132012/132015/132016: the template is wrong, paused or disabled
  | 'payment' // 131042: a problem with the account's payment method
  | 'other'; // anything else (network, 5xx, invalid parameter): retried up to the attempt limit

export function classifyError(err: unknown): CloudErrorKind {
  if (!(err instanceof GraphApiError)) return 'other';
  switch (err.code) {
    case 130429:
      return 'throughput';
    case 131056:
      return 'pair_rate';
    case 131026:
      return 'undeliverable';
    case 131047:
      return 'reengagement';
    case 131048:
      return 'spam_limit';
    case 368:
    case 131031: // the business account is locked
      return 'policy_block';
    case 131042:
      return 'payment';
    case 132000: // parameters do not match the template's
    case 132001: // no such template in this language
    case 132012: // a parameter's format does not match
    case 132015: // paused by Meta for low quality
    case 132016: // disabled by Meta
      return 'template';
    case 190:
      return 'token';
  }
  if (err.httpStatus === 429 || err.httpStatus === 503) return 'throughput';
  if (err.httpStatus === 401) return 'token';
  return 'other';
}
