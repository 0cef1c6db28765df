import { sql } from 'drizzle-orm';
import { type Db, type Queryable, rowsOf } from '../db/client.js';
import { messageIdOf, messageIdSecret } from './message-id.js';
import { RECEIPT, recordReceipts } from './receipts.js';

/**
 * Bookkeeping of the Cloud API transport: the API takes no client message id, so each delivery is
 * recorded in flight before the call and its wamid after; a status webhook carries our delivery id
 * (biz_opaque_callback_data) and so settles a send whose answer was lost in a crash.
 */

/** The 24-hour window, less a margin for the time a send takes. */
const WINDOW_MINUTES = 24 * 60 - 15;

export type CloudSendFacts = {
  deliveryId: number;
  /** The citizen wrote to us within the window: a free-form message may go. */
  inWindow: boolean;
  /** A call was made before (in flight, answered or settled by a status). */
  previous:
    | { wamid: string | null; status: number; errorCode: number | null; calledMsAgo: number }
    | undefined;
};

/** What the sender needs to know about claimed deliveries before calling the API. */
export async function cloudSendFacts(
  db: Queryable,
  deliveryIds: number[],
): Promise<Map<number, CloudSendFacts>> {
  if (deliveryIds.length === 0) return new Map();
  const rows = rowsOf<{
    id: string | number;
    in_window: boolean | null;
    wamid: string | null;
    status: number | null;
    error_code: number | null;
    called_ms_ago: string | number | null;
  }>(
    await db.execute(sql`
      SELECT d.id, w.last_inbound_at > now() - make_interval(mins => ${WINDOW_MINUTES}) AS in_window,
             cs.wamid, cs.status, cs.error_code,
             extract(epoch FROM now() - cs.called_at) * 1000 AS called_ms_ago
      FROM deliveries d
      LEFT JOIN cloud_windows w ON w.subscriber_id = d.subscriber_id
      LEFT JOIN cloud_sends cs ON cs.delivery_id = d.id
      WHERE d.id = ANY(${`{${deliveryIds.join(',')}}`}::bigint[])`),
  );
  return new Map(
    rows.map((row) => {
      const deliveryId = Number(row.id);
      const previous =
        row.called_ms_ago === null
          ? undefined
          : {
              wamid: row.wamid,
              status: Number(row.status ?? 0),
              errorCode: row.error_code,
              calledMsAgo: Number(row.called_ms_ago),
            };
      return [deliveryId, { deliveryId, inWindow: row.in_window === true, previous }];
    }),
  );
}

/**
 * Records a delivery in flight just before its call. A call again after one that got neither an
 * answer nor a status nor an error (the process died on the wire) may reach the citizen twice:
 * it is counted as a possible duplicate.
 */
export async function markCloudInFlight(
  db: Queryable,
  input: { deliveryId: number; template: boolean },
): Promise<void> {
  await db.execute(sql`
    INSERT INTO cloud_sends (delivery_id, template) VALUES (${input.deliveryId}, ${input.template})
    ON CONFLICT (delivery_id) DO UPDATE
    SET called_at = now(), calls = cloud_sends.calls + 1, template = excluded.template,
        possible_duplicate = cloud_sends.possible_duplicate
          OR (cloud_sends.wamid IS NULL AND cloud_sends.status = 0 AND cloud_sends.error_code IS NULL),
        error_code = NULL`);
}

/**
 * Marked in flight, then not called after all (the queue paused meanwhile): the call is not
 * counted, and error code 0 says it did not go, so a later attempt is no duplicate.
 */
export async function cancelCloudCall(db: Queryable, input: { deliveryId: number }): Promise<void> {
  await db.execute(sql`
    UPDATE cloud_sends SET calls = greatest(0, calls - 1), error_code = 0
    WHERE delivery_id = ${input.deliveryId} AND wamid IS NULL`);
}

/** The API accepted the message: its wamid, which status webhooks name. */
export async function recordCloudWamid(
  db: Queryable,
  input: { deliveryId: number; wamid: string },
): Promise<void> {
  await db.execute(sql`
    UPDATE cloud_sends SET wamid = ${input.wamid}, error_code = NULL WHERE delivery_id = ${input.deliveryId}`);
}

/** The API refused the call with an error: it did not send it (so a retry is no duplicate). */
export async function recordCloudError(
  db: Queryable,
  input: { deliveryId: number; code: number },
): Promise<void> {
  await db.execute(sql`
    UPDATE cloud_sends SET error_code = ${input.code} WHERE delivery_id = ${input.deliveryId} AND wamid IS NULL`);
}

/**
 * Gives a claimed delivery back without spending an attempt, due again in `delayMs`: a throughput
 * limit, a queue pause, or a send in flight still waiting for its status webhook.
 */
export async function releaseDelivery(
  db: Queryable,
  input: { id: number; leaseToken: string; delayMs: number },
): Promise<void> {
  await db.execute(sql`
    UPDATE deliveries
    SET lease_token = NULL, lease_until = NULL, attempts = greatest(0, attempts - 1),
        available_at = now() + make_interval(secs => ${Math.max(0, input.delayMs) / 1000})
    WHERE id = ${input.id} AND lease_token = ${input.leaseToken} AND state = 'pending'`);
}

export type CloudStatus = {
  wamid: string;
  /** From biz_opaque_callback_data: ours, as we sent it. */
  deliveryId: number | undefined;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  errorCode: number | undefined;
};

const LEVEL = { sent: RECEIPT.serverAck, delivered: RECEIPT.delivered, read: RECEIPT.read, failed: 0 };

/**
 * Applies status webhooks: the send (found by wamid, or by our delivery id when its answer was
 * lost) keeps its highest status and learns its wamid; the bulletin's receipt counts rise as for
 * Baileys' receipts, never lowered by a late or out-of-order status. Returns the sends matched.
 */
export async function applyCloudStatuses(
  db: Db,
  input: { statuses: CloudStatus[]; retentionHours: number },
): Promise<number> {
  const byWamid = new Map<
    string,
    { wamid: string; delivery_id: number | null; status: number; error_code: number | null }
  >();
  for (const s of input.statuses) {
    const seen = byWamid.get(s.wamid);
    byWamid.set(s.wamid, {
      wamid: s.wamid,
      delivery_id: s.deliveryId ?? seen?.delivery_id ?? null,
      status: Math.max(LEVEL[s.status], seen?.status ?? 0),
      error_code: s.errorCode ?? seen?.error_code ?? null,
    });
  }
  if (byWamid.size === 0) return 0;
  const matched = rowsOf<{
    message_id: string | null;
    bulletin_id: number;
    subscriber_id: number;
    phone_jid: string | null;
    status: number;
  }>(
    await db.execute(sql`
      WITH incoming AS (
        SELECT * FROM jsonb_to_recordset(${JSON.stringify([...byWamid.values()])}::jsonb)
          AS i(wamid text, delivery_id bigint, status smallint, error_code int)
      ),
      updated AS (
        UPDATE cloud_sends cs
        SET wamid = coalesce(cs.wamid, i.wamid), status = greatest(cs.status, i.status),
            status_at = now(), error_code = coalesce(i.error_code, cs.error_code)
        FROM incoming i
        WHERE cs.wamid = i.wamid OR (i.delivery_id IS NOT NULL AND cs.delivery_id = i.delivery_id)
        RETURNING cs.delivery_id, i.status
      ),
      -- A send left in flight by a crash is settled by its status: due now, not after the wait.
      due AS (
        UPDATE deliveries d SET available_at = now()
        FROM updated u WHERE d.id = u.delivery_id AND d.state = 'pending' AND d.available_at > now()
      )
      SELECT d.message_id, d.bulletin_id, d.subscriber_id, s.phone_jid, u.status
      FROM updated u JOIN deliveries d ON d.id = u.delivery_id JOIN subscribers s ON s.id = d.subscriber_id`),
  );
  const secret = await messageIdSecret(db);
  const receipts = matched
    .filter((m) => m.phone_jid !== null && Number(m.status) >= RECEIPT.serverAck)
    .map((m) => ({ messageId: messageIdOf(secret, m), status: Number(m.status), from: [m.phone_jid!] }));
  if (receipts.length > 0) await recordReceipts(db, { receipts, retentionHours: input.retentionHours });
  return matched.length;
}

/** Template sends to distinct people in the last 24 h: what Meta's messaging limit counts. */
export async function cloudRecipientsLastDay(db: Queryable): Promise<number> {
  const [row] = rowsOf<{ n: string | number }>(
    await db.execute(sql`
      SELECT count(DISTINCT d.subscriber_id) AS n
      FROM cloud_sends cs JOIN deliveries d ON d.id = cs.delivery_id
      WHERE cs.template AND cs.called_at > now() - interval '24 hours'`),
  );
  return Number(row?.n ?? 0);
}

export type CloudCounts = {
  /** Distinct people sent a template in the last 24 h (the messaging limit's count). */
  templateRecipients: number;
  /** Messages handed to the API in the last 24 h. */
  messages: number;
  /** Sent again after a crash without an answer or a status: the citizen may have it twice. */
  possibleDuplicates: number;
  /** Subscribers known only by a LID: the Cloud API cannot reach them until they write again. */
  lidOnly: number;
};

/** What /stato shows about the Cloud API transport. */
export async function cloudCounts(db: Queryable): Promise<CloudCounts> {
  const [row] = rowsOf<Record<keyof CloudCounts, string | number>>(
    await db.execute(sql`
      SELECT
        (SELECT count(DISTINCT d.subscriber_id) FROM cloud_sends cs JOIN deliveries d ON d.id = cs.delivery_id
          WHERE cs.template AND cs.called_at > now() - interval '24 hours') AS "templateRecipients",
        (SELECT coalesce(sum(calls), 0) FROM cloud_sends WHERE called_at > now() - interval '24 hours') AS "messages",
        (SELECT count(*) FROM cloud_sends WHERE possible_duplicate) AS "possibleDuplicates",
        (SELECT count(*) FROM subscribers s WHERE s.phone_jid IS NULL AND s.lid IS NOT NULL AND s.erased_at IS NULL
          AND EXISTS (SELECT 1 FROM subscriptions m WHERE m.subscriber_id = s.id AND m.left_at IS NULL)) AS "lidOnly"`),
  );
  return {
    templateRecipients: Number(row?.templateRecipients ?? 0),
    messages: Number(row?.messages ?? 0),
    possibleDuplicates: Number(row?.possibleDuplicates ?? 0),
    lidOnly: Number(row?.lidOnly ?? 0),
  };
}
