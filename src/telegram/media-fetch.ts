import { open } from 'node:fs/promises';
import type { Api } from 'grammy';
import type { NewMedia } from '../core/media.js';
import type { MediaRef } from './draft-input.js';

const MB = 1024 * 1024;
export const CLOUD_API_ROOT = 'https://api.telegram.org';
/** Telegram's own Bot API lets bots download files up to 20 MB; a self-hosted server up to 2,000 MB. */
export const CLOUD_DOWNLOAD_LIMIT = 20 * MB;
export const SELF_HOSTED_DOWNLOAD_LIMIT = 2000 * MB;

/** The Bot API's own limit, or the lower one set in TELEGRAM_DOWNLOAD_LIMIT_MB. */
export function downloadLimit(apiRoot: string, limitMb?: number): number {
  const api = apiRoot === CLOUD_API_ROOT ? CLOUD_DOWNLOAD_LIMIT : SELF_HOSTED_DOWNLOAD_LIMIT;
  return limitMb === undefined ? api : Math.min(api, limitMb * MB);
}

/** The file is larger than the bot may download; `size` is unknown when a download was cut short. */
export class MediaTooBig extends Error {
  constructor(
    readonly size: number | undefined,
    readonly limit: number,
  ) {
    super(`file of ${size ?? 'more'} bytes above the download limit of ${limit}`);
    this.name = 'MediaTooBig';
  }
}

/**
 * Downloads a Telegram file through getFile, so it can be kept in the database for the bridge.
 * The size is checked before downloading (Telegram would refuse anyway above its limit), and again
 * while the bytes arrive: a download passing the limit is aborted there, whatever size was
 * announced. The URL holds the bot token: it is never logged.
 */
export async function fetchMedia(
  api: Pick<Api, 'getFile'>,
  telegram: { apiRoot: string; token: string; downloadLimitMb?: number | undefined },
  ref: MediaRef,
): Promise<NewMedia> {
  const limit = downloadLimit(telegram.apiRoot, telegram.downloadLimitMb);
  if (ref.fileSize !== undefined && ref.fileSize > limit) throw new MediaTooBig(ref.fileSize, limit);
  const file = await api.getFile(ref.fileId);
  if (file.file_size !== undefined && file.file_size > limit) throw new MediaTooBig(file.file_size, limit);
  if (!file.file_path) throw new Error('getFile gave no file_path');
  const buffer = new SizeCheckedBuffer(limit, file.file_size ?? ref.fileSize);
  // A self-hosted server in --local mode answers with a path on its own disk.
  if (file.file_path.startsWith('/')) await readLocal(file.file_path, buffer);
  else await download(`${telegram.apiRoot}/file/bot${telegram.token}/${file.file_path}`, buffer);
  const data = buffer.take();
  return { kind: ref.kind, mimeType: ref.mimeType, fileName: ref.fileName, data, telegramFileId: ref.fileId };
}

/** Collects bytes up to `limit`; throws MediaTooBig at the first chunk past it. */
class SizeCheckedBuffer {
  private data: Buffer;
  private length = 0;

  constructor(
    private readonly limit: number,
    expected: number | undefined,
  ) {
    this.data = Buffer.allocUnsafe(Math.min(limit + 1, expected ?? MB));
  }

  push(chunk: Uint8Array): void {
    const needed = this.length + chunk.length;
    if (needed > this.limit) throw new MediaTooBig(undefined, this.limit);
    if (needed > this.data.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.limit, Math.max(needed, this.data.length * 2)));
      this.data.copy(grown, 0, 0, this.length);
      this.data = grown;
    }
    this.data.set(chunk, this.length);
    this.length = needed;
  }

  take(): Buffer {
    return this.data.subarray(0, this.length);
  }
}

async function download(url: string, buffer: SizeCheckedBuffer): Promise<void> {
  const abort = new AbortController();
  const response = await fetch(url, {
    signal: AbortSignal.any([abort.signal, AbortSignal.timeout(120_000)]),
  });
  if (!response.ok || !response.body) throw new Error(`file download failed with HTTP ${response.status}`);
  try {
    for await (const chunk of response.body) buffer.push(chunk);
  } catch (err) {
    abort.abort();
    throw err;
  }
}

async function readLocal(path: string, buffer: SizeCheckedBuffer): Promise<void> {
  const file = await open(path);
  try {
    for await (const chunk of file.createReadStream({ highWaterMark: MB })) buffer.push(chunk as Buffer);
  } finally {
    await file.close();
  }
}
