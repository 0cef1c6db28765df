import type { MessagingTier } from '../../core/cloud-account.js';
import type { CloudReach } from '../../core/cloud-reach.js';
import type { CloudCounts } from '../../core/cloud-sends.js';
import type { StaffNotice } from '../../core/notices.js';
import type { TemplateFit } from '../../whatsapp-cloud/messages.js';
import { plural } from './words.js';

// Staff bot texts for the WhatsApp Cloud API transport (WA_TRANSPORT=cloud).

const euro = (value: number) =>
  value.toLocaleString('it-IT', { style: 'currency', currency: 'EUR', maximumFractionDigits: 4 });

/** /stato's lines about the transport: which, the number's id, the limit and today's count. */
export function cloudStatusLines(
  cloud: { phoneNumberId: string; dailyLimit: number; ratePerSecond: number },
  counts: CloudCounts,
): string[] {
  return [
    'Trasporto: API Cloud di WhatsApp (Meta), nessun telefono da collegare.',
    `Phone number id: ${cloud.phoneNumberId}. Velocità: ${cloud.ratePerSecond} messaggi al secondo.`,
    `Limite giornaliero di Meta: ${cloud.dailyLimit} persone in 24 ore; usate: ${counts.templateRecipients}. Messaggi nelle ultime 24 ore: ${counts.messages}.`,
    ...(counts.possibleDuplicates > 0
      ? [
          `Possibili doppioni: ${plural(counts.possibleDuplicates, 'messaggio inviato di nuovo', 'messaggi inviati di nuovo')} dopo un’interruzione senza conferma da Meta.`,
        ]
      : []),
    ...(counts.lidOnly > 0
      ? [
          `${plural(counts.lidOnly, 'iscritto noto', 'iscritti noti')} solo per identificativo WhatsApp (LID), senza numero: non raggiungibili con l’API Cloud finché non scrivono di nuovo.`,
        ]
      : []),
  ];
}

/** The preview's lines: how many get the template, the fit of the text, the cost estimate. */
export function cloudPreviewLines(input: {
  reach: CloudReach;
  fit: TemplateFit;
  hasTemplate: boolean;
  pricePerMessage: number | undefined;
}): string[] {
  const { reach } = input;
  const lines = [
    `API Cloud: ${plural(reach.template, 'messaggio', 'messaggi')} con il modello approvato (fuori dalla finestra di 24 ore), ${reach.inWindow} come messaggio libero.`,
  ];
  if (!input.hasTemplate && reach.template > 0)
    lines.push(
      `Attenzione: nessun modello impostato (WA_CLOUD_TEMPLATE): ${plural(reach.template, 'iscritto non lo riceverà', 'iscritti non lo riceveranno')}.`,
    );
  else if (reach.template > 0 && input.fit === 'archive_link')
    lines.push(
      'Attenzione: il modello porta al massimo 1.024 caratteri su una riga e nessun allegato: chi è fuori finestra riceverà l’inizio e il link alla pagina del bollettino nell’archivio.',
    );
  else if (reach.template > 0 && input.fit === 'cut')
    lines.push(
      'Attenzione: il testo non entra nel modello (1.024 caratteri, nessun allegato) e, senza PUBLIC_BASE_URL, non c’è una pagina a cui rimandare: chi è fuori finestra lo riceverà troncato.',
    );
  if (input.pricePerMessage !== undefined && reach.template > 0)
    lines.push(
      `Costo stimato: ${reach.template} × ${euro(input.pricePerMessage)} = ${euro(reach.template * input.pricePerMessage)}.`,
    );
  if (reach.lidOnly > 0)
    lines.push(`${plural(reach.lidOnly, 'iscritto noto', 'iscritti noti')} solo per LID: non raggiungibili.`);
  return lines;
}

export const linkNotNeeded = (): string =>
  'Con l’API Cloud di WhatsApp non c’è un telefono da collegare: il numero si gestisce in WhatsApp Manager di Meta, quindi /collega e il QR non servono.';

export const channelNotWithCloud = (): string =>
  'Il canale WhatsApp si pubblica con un telefono collegato (WA_TRANSPORT=baileys): con l’API Cloud di WhatsApp non si può creare né collegare.';

export const cloudRefusals = (): Record<'revoke_not_supported', string> => ({
  revoke_not_supported:
    'Con l’API Cloud di WhatsApp non si può ritirare: Meta non permette di cancellare un messaggio già inviato. Se serve, inviate una rettifica.',
});

const people = (limit: number | null | undefined) =>
  limit === undefined ? 'non indicato' : limit === null ? 'senza limite' : `${limit} persone in 24 ore`;

/** /stato's line about the tier Meta last reported, beside WA_CLOUD_DAILY_LIMIT. */
export function cloudTierLine(tier: MessagingTier | undefined, configured: number): string[] {
  if (!tier) return [];
  const line = `Livello indicato da Meta: ${people(tier.limit)}`;
  if (tier.limit !== null && tier.limit < configured)
    return [`${line}: gli invii si fermano lì, sotto WA_CLOUD_DAILY_LIMIT (${configured}).`];
  if (tier.limit === null || tier.limit > configured)
    return [`${line}: si può alzare WA_CLOUD_DAILY_LIMIT (ora ${configured}).`];
  return [`${line}.`];
}

/** Meta changed the number's messaging-limit tier. */
export function cloudTierNotice(notice: Extract<StaffNotice, { kind: 'cloud_tier' }>): string {
  const change = `Meta ha cambiato il limite giornaliero del numero: da ${people(notice.previous)} a ${people(notice.limit)}.`;
  if (notice.limit !== null && notice.limit < notice.configured)
    return `${change} Gli invii si fermano al nuovo limite; aggiornate WA_CLOUD_DAILY_LIMIT (ora ${notice.configured}).`;
  if (notice.limit === null || notice.limit > notice.configured)
    return `${change} Per usarlo, alzate WA_CLOUD_DAILY_LIMIT (ora ${notice.configured}).`;
  return change;
}

const TEMPLATE_REVIEWS: Record<string, string> = {
  APPROVED: 'approvato: i bollettini arrivano anche a chi non scrive da più di 24 ore',
  REJECTED: 'rifiutato: correggetelo e inviatelo di nuovo in WhatsApp Manager',
  FLAGGED: 'segnalato per qualità bassa: se i destinatari continuano a bloccarlo sarà sospeso',
  PAUSED:
    'sospeso per qualità bassa: fuori dalla finestra di 24 ore non parte nulla finché non torna attivo (gli invii si fermeranno al primo rifiuto)',
  DISABLED: 'disattivato: serve un modello nuovo, approvato, in WA_CLOUD_TEMPLATE',
  REINSTATED: 'riattivato: se gli invii erano in pausa per il modello, /riprendi',
};

/** Meta reviewed WA_CLOUD_TEMPLATE. */
export function cloudTemplateNotice(notice: Extract<StaffNotice, { kind: 'cloud_template_status' }>): string {
  return `Modello ${notice.name} ${TEMPLATE_REVIEWS[notice.event] ?? `in un nuovo stato per Meta (${notice.event})`}.`;
}
