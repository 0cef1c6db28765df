/**
 * Outlets: the doors an approved bulletin leaves through (canale = outlet, in the staff's words).
 *
 * - A per-recipient outlet makes one delivery per subscriber, paced (WhatsApp 1:1, over Baileys
 *   or the Cloud API). Its queue is the `deliveries` table; a transport drains it.
 * - A broadcast outlet posts each bulletin once (the WhatsApp Channel, the Telegram channel, the
 *   public archive). Its work is a `publications` row per (bulletin, outlet), run by core's engine
 *   loop through the port below.
 *
 * Core imports no platform library (no grammy, no Baileys, no web framework): each outlet's
 * implementation lives beside its platform (`telegram/`, `whatsapp/`, `web/`), renders the
 * neutral body itself and is registered in `main.ts`. test/core-imports.test.ts keeps that true.
 */

/** Every outlet this program knows; a bulletin targets a subset of the configured ones. */
export const OUTLET_NAMES = ['whatsapp', 'whatsapp_channel', 'telegram_channel', 'archive'] as const;
export type OutletName = (typeof OUTLET_NAMES)[number];

/** The longest failure or health detail kept: a platform's short reason, never text or numbers. */
export const MAX_DETAIL = 200;

export type OutletCapabilities = {
  /** Ritira can delete what it posted. */
  revoke: boolean;
  /** It carries the bulletin's image, video or document (otherwise text and, if set, the link). */
  media: boolean;
  /** Its sends follow the pacer (per recipient); instant outlets post at once. */
  paced: boolean;
};

/**
 * Why an outlet could not take a bulletin, in no platform's words. `retryable` failures are tried
 * again with backoff up to the attempt limit; the others fail the publication at once.
 */
export type OutletFailure =
  | 'unreachable' // the platform cannot be reached now (network, not linked, logged out)
  | 'rate_limited' // the platform asked us to slow down
  | 'not_allowed' // no right to post there (bot not admin, number not owner)
  | 'not_found' // the destination is gone (channel deleted, recipient not on the platform)
  | 'rejected' // the platform refused this content (too long, media type, policy)
  | 'unknown';

/** Telegram-style formatting over the plain text; offsets and lengths in UTF-16 code units. */
export type BodyEntity = {
  type:
    | 'bold'
    | 'italic'
    | 'underline'
    | 'strikethrough'
    | 'spoiler'
    | 'code'
    | 'pre'
    | 'blockquote'
    | 'text_link'
    | 'url';
  offset: number;
  length: number;
  /** For text_link. */
  url?: string;
  /** For pre. */
  language?: string;
};

/** What staff wrote, as written: each outlet renders it (WhatsApp markup, entities, HTML, text). */
export type BulletinBody = { text: string; entities: BodyEntity[] };

/** One bulletin as a broadcast outlet receives it: the approved version, nothing about people. */
export type OutgoingBulletin = {
  bulletinId: number;
  version: number;
  /** Short authenticity code: the first characters of the approved version's hash. */
  code: string;
  body: BulletinBody;
  category: string | null;
  urgent: boolean;
  approvedAt: Date;
  /** The bulletin's public archive page, when PUBLIC_BASE_URL is set. */
  link: string | null;
  media: {
    kind: 'image' | 'video' | 'document';
    mimeType: string;
    fileName: string | null;
    sha256: string;
    /** The Telegram file id it was drafted with (the Telegram channel reposts it, no upload). */
    telegramFileId: string | null;
    /** The bytes, read only by outlets that upload them. */
    bytes(): Promise<Buffer>;
  } | null;
};

export type PublishResult =
  | { ok: true; externalId: string; note?: string }
  | { ok: false; failure: OutletFailure; retryable: boolean; detail: string };

export type OutletHealth = { ok: boolean; detail: string };

/** The port a broadcast outlet implements; core runs it from `publications` rows. */
export type BroadcastOutlet = {
  name: Exclude<OutletName, 'whatsapp'>;
  capabilities: OutletCapabilities;
  /** Posts the bulletin once; core records the result in the same row it claimed. */
  publish(bulletin: OutgoingBulletin): Promise<PublishResult>;
  /**
   * After a crash between a post and its record: the post's external id if the platform shows
   * it is already there (undefined: not there, or the platform cannot tell, which is logged).
   */
  findPosted?(bulletin: OutgoingBulletin): Promise<string | undefined>;
  /** Deletes a post (Ritira); false when it could not. Only with capabilities.revoke. */
  revoke?(externalId: string): Promise<boolean>;
  /** For /stato and the start-up check: can it post now, in one line. */
  health(): Promise<OutletHealth>;
};
