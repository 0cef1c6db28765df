import { readFile } from 'node:fs/promises';
import type { Api } from 'grammy';
import type { NewMedia } from '../core/media.js';
import type { MediaRef } from './draft-input.js';

const MB = 1024 * 1024;
export const CLOUD_API_ROOT = 'https://api.telegram.org';
/** Telegram's own Bot API lets bots download files up to 20 MB; a self-hosted server up to 2,000 MB. */
export const CLOUD_DOWNLOAD_LIMIT = 20 * MB;
export const SELF_HOSTED_DOWNLOAD_LIMIT = 2000 * MB;

export function downloadLimit(apiRoot: string): number {
  return apiRoot === CLOUD_API_ROOT ? CLOUD_DOWNLOAD_LIMIT : SELF_HOSTED_DOWNLOAD_LIMIT;
}

/** The file is larger than the Bot API lets a bot download. */
export class MediaTooBig extends Error {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`file of ${size} bytes above the download limit of ${limit}`);
    this.name = 'MediaTooBig';
  }
}

/**
 * Downloads a Telegram file through getFile, so it can be kept in the database for the bridge.
 * The size is checked before downloading (Telegram would refuse anyway above its limit). The URL
 * holds the bot token: it is never logged.
 */
export async function fetchMedia(
  api: Pick<Api, 'getFile'>,
  telegram: { apiRoot: string; token: string },
  ref: MediaRef,
): Promise<NewMedia> {
  const limit = downloadLimit(telegram.apiRoot);
  if (ref.fileSize !== undefined && ref.fileSize > limit) throw new MediaTooBig(ref.fileSize, limit);
  const file = await api.getFile(ref.fileId);
  if (file.file_size !== undefined && file.file_size > limit) throw new MediaTooBig(file.file_size, limit);
  if (!file.file_path) throw new Error('getFile gave no file_path');
  // A self-hosted server in --local mode answers with a path on its own disk.
  const data = file.file_path.startsWith('/')
    ? await readFile(file.file_path)
    : await download(`${telegram.apiRoot}/file/bot${telegram.token}/${file.file_path}`);
  if (data.length > limit) throw new MediaTooBig(data.length, limit);
  return { kind: ref.kind, mimeType: ref.mimeType, fileName: ref.fileName, data, telegramFileId: ref.fileId };
}

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  if (!response.ok) throw new Error(`file download failed with HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}
