import type { ArchiveEntry } from '../core/archive.js';
import { bulletinPageUrl } from '../core/public-link.js';
import { bodyToHtml, bodyToText, splitTitle, truncate } from './render-html.js';

/** One archived bulletin as the pages and the feeds show it; addresses start with `base`. */
export type EntryView = {
  number: number;
  url: string;
  title: string;
  /** The body after the title, as HTML (escaped) and as plain text. */
  html: string;
  text: string;
  excerpt: string;
  category: string | null;
  urgent: boolean;
  code: string;
  publishedAt: Date;
  withdrawnAt: Date | null;
  media: MediaView | undefined;
};

export type MediaView = {
  url: string;
  kind: 'image' | 'video' | 'document';
  mimeType: string;
  size: number | null;
  fileName: string | null;
};

const EXCERPT_MAX = 200;

/** `base` is PUBLIC_BASE_URL, or '' for links relative to this host. */
export function entryView(entry: ArchiveEntry, base: string): EntryView {
  const { title, rest } = splitTitle(entry.body);
  const text = bodyToText(rest);
  return {
    number: entry.bulletinId,
    url: bulletinPageUrl(base, entry.bulletinId),
    title: title ?? `Bollettino n. ${entry.bulletinId}`,
    html: bodyToHtml(rest),
    text,
    excerpt: truncate(text, EXCERPT_MAX),
    category: entry.category,
    urgent: entry.urgent,
    code: entry.code,
    publishedAt: entry.publishedAt,
    withdrawnAt: entry.withdrawnAt,
    media:
      entry.mediaSha256 && entry.mediaKind && entry.mediaMimeType
        ? {
            url: mediaUrl(base, entry.mediaSha256),
            kind: entry.mediaKind,
            mimeType: entry.mediaMimeType,
            size: entry.mediaSize,
            fileName: entry.mediaFileName,
          }
        : undefined,
  };
}

export function mediaUrl(base: string, sha256: string): string {
  return `${base}/media/${sha256}`;
}

const ROME = new Intl.DateTimeFormat('it-IT', {
  timeZone: 'Europe/Rome',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** "2 dicembre 2026 alle ore 14:05", in Europe/Rome. */
export function romeDateTime(date: Date): string {
  return ROME.format(date);
}

/** "1,2 MB", "340 kB". */
export function fileSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} byte`;
  if (bytes < 1_000_000) return `${Math.round(bytes / 1000)} kB`;
  return `${(bytes / 1_000_000).toLocaleString('it-IT', { maximumFractionDigits: 1 })} MB`;
}
