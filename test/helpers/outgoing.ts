import type { OutgoingBulletin } from '../../src/core/outlets.js';

/** One approved bulletin as a broadcast outlet receives it; `media` bytes served from memory. */
export function outgoingBulletin(
  overrides: Partial<Omit<OutgoingBulletin, 'media'>> & {
    media?: {
      kind: 'image' | 'video' | 'document';
      telegramFileId?: string | null;
      fileName?: string | null;
    };
  } = {},
): OutgoingBulletin {
  const { media, ...rest } = overrides;
  const bytes = Buffer.from('stand-in media bytes');
  return {
    bulletinId: 7,
    version: 1,
    code: 'a1b2c3d4',
    body: {
      text: 'Strada chiusa in via Roma domani.',
      entities: [
        { type: 'bold', offset: 0, length: 13 },
        { type: 'underline', offset: 17, length: 8 },
      ],
    },
    category: null,
    urgent: false,
    approvedAt: new Date(),
    link: null,
    media: media
      ? {
          kind: media.kind,
          mimeType:
            media.kind === 'image' ? 'image/jpeg' : media.kind === 'video' ? 'video/mp4' : 'application/pdf',
          fileName: media.fileName ?? (media.kind === 'document' ? 'avviso.pdf' : null),
          sha256: 'f'.repeat(64),
          telegramFileId: media.telegramFileId === undefined ? 'AgACAgQAAxkBAAIB' : media.telegramFileId,
          bytes: async () => bytes,
        }
      : null,
    ...rest,
  };
}
