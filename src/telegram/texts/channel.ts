import type { ChannelRequestError, WhatsappChannel } from '../../core/whatsapp-channel.js';
import { channelInviteLink } from '../../core/whatsapp-channel.js';

// Staff bot texts: the WhatsApp Channel and the Telegram channel.

/** Refusals for the Channel's domain errors; texts.ts gathers them with the others. */
export function channelRefusals(): Record<
  'channel_not_set' | 'channel_already_set' | 'wa_not_linked' | 'invalid_channel_link',
  string
> {
  return {
    channel_not_set:
      'Nessun canale WhatsApp impostato. Crealo con /canale crea <nome> o collegane uno con /canale collega <link>.',
    channel_already_set:
      'C’è già un canale WhatsApp impostato (/canale per vederlo). Per cambiarlo, prima /canale scollega.',
    wa_not_linked: 'WhatsApp non è collegato: collega prima il numero del Comune (/stato).',
    invalid_channel_link:
      'Link di invito non valido: usa il link del canale, es. /canale collega https://whatsapp.com/channel/0029Va…',
  };
}

// Italian groups four-digit numbers only when asked: "1.234 follower", as the status card writes it.
const count = (n: number) => n.toLocaleString('it-IT', { useGrouping: 'always' } as Intl.NumberFormatOptions);

const roleWords: Record<string, string> = {
  OWNER: 'proprietario',
  ADMIN: 'amministratore',
  SUBSCRIBER: 'solo follower',
  GUEST: 'nessun ruolo',
};

export const channelUsage = (): string =>
  [
    'Canale WhatsApp del Comune:',
    '/canale crea <nome>: crea un canale di cui il numero collegato è proprietario',
    '/canale collega <link di invito>: usa un canale esistente (il numero collegato deve esserne proprietario o amministratore)',
    '/canale: nome, follower e link di invito',
    '/canale scollega: i bollettini non vanno più sul canale (il canale resta su WhatsApp)',
  ].join('\n');

/** /canale: the Channel as last read, with its followers and invite link. */
export function channelInfo(channel: WhatsappChannel): string {
  return [
    `Canale WhatsApp: ${channel.name}`,
    `Follower: ${channel.followers === null ? 'non noti' : count(channel.followers)}`,
    `Ruolo del numero collegato: ${roleWords[channel.role] ?? channel.role}`,
    `Link di invito: ${channel.inviteCode ? channelInviteLink(channel.inviteCode) : 'non disponibile'}`,
  ].join('\n');
}

export const noChannel = (): string => `Nessun canale WhatsApp impostato.\n${channelUsage()}`;

export const channelCreating = (name: string): string => `Creo il canale WhatsApp «${name}»…`;
export const channelChecking = (): string => 'Controllo il canale su WhatsApp…';
export const channelRefreshing = (): string => '(aggiorno i follower da WhatsApp…)';
export const channelNameMissing = (): string => 'Scrivi il nome del canale: /canale crea <nome>.';
export const channelNameTooLong = (max: number): string => `Nome troppo lungo: al massimo ${max} caratteri.`;
export const channelUnlinked = (name: string): string =>
  `Canale «${name}» scollegato: i bollettini non ci vanno più. Il canale resta su WhatsApp.`;

const requestErrors: Record<ChannelRequestError, string> = {
  not_linked: 'WhatsApp non è collegato: collega prima il numero del Comune (/stato), poi riprova.',
  invalid_link: 'Canale non trovato: controlla il link di invito (https://whatsapp.com/channel/…).',
  not_admin:
    'Il numero collegato non è proprietario né amministratore di questo canale: non potrebbe pubblicarci. ' +
    'Aggiungilo come amministratore dal telefono del proprietario, poi riprova.',
  failed: 'WhatsApp non ha risposto come previsto: riprova tra poco.',
};

/** The edited reply once the bridge answered. */
export function channelAnswer(
  answer: {
    kind: 'create' | 'adopt' | 'refresh';
    state: 'done' | 'failed';
    error: ChannelRequestError | null;
  },
  channel: WhatsappChannel | undefined,
): string {
  if (answer.state === 'failed') return `Canale WhatsApp: ${requestErrors[answer.error ?? 'failed']}`;
  if (!channel) return noChannel();
  const head =
    answer.kind === 'create'
      ? 'Canale WhatsApp creato: i bollettini approvati ci saranno pubblicati.'
      : answer.kind === 'adopt'
        ? 'Canale WhatsApp collegato: i bollettini approvati ci saranno pubblicati.'
        : undefined;
  return [...(head ? [head] : []), channelInfo(channel)].join('\n');
}

/** "1.234 follower", or that WhatsApp did not say. */
export const followersText = (channel: WhatsappChannel): string =>
  channel.followers === null ? 'follower non noti' : `${count(channel.followers)} follower`;

/** /iscritti: the Channel's followers (anonymous: only their number is known). */
export const channelFollowersLine = (channel: WhatsappChannel | undefined): string | undefined =>
  channel && channel.followers !== null
    ? `Follower del canale WhatsApp «${channel.name}»: ${count(channel.followers)}`
    : undefined;

/** The staff group's notice when the bot's rights in a Telegram channel change (undefined: none). */
export function channelMembershipNotice(input: {
  title: string;
  id: number;
  configured: boolean;
  rights: 'post' | 'admin_no_post' | 'none';
}): string | undefined {
  const name = `canale Telegram «${input.title}»`;
  if (input.rights === 'post') {
    return input.configured
      ? `Il bot può pubblicare nel ${name}: i bollettini approvati ci usciranno.`
      : `Il bot è amministratore del ${name}. Per pubblicarci i bollettini imposta TELEGRAM_CHANNEL_ID=${input.id} e riavvia il servizio.`;
  }
  if (input.rights === 'admin_no_post') {
    return `Il bot è amministratore del ${name} ma senza il permesso «Pubblica messaggi»: concedilo, o i bollettini non ci usciranno.`;
  }
  return input.configured
    ? `⚠️ Il bot non è più amministratore del ${name}: i bollettini non ci usciranno finché non lo aggiungi di nuovo come amministratore con il permesso «Pubblica messaggi».`
    : undefined;
}
