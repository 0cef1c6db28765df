import type { InboundOutcome } from '../core/answer-inbound.js';
import type { OwnData, OwnMembership } from '../core/own-data.js';

export type Comune = { name: string; phone: string; email: string; privacyUrl: string };

type Named = { slug: string; name: string; isDefault?: boolean };

/** " (lista Scuola)" for a list other than the default one. */
const ofList = (list: Named | undefined) => (list && !list.isDefault ? ` (lista ${list.name})` : '');

/** "01/12/2026" in Europe/Rome. */
const romeDate = (at: Date) =>
  at.toLocaleDateString('it-IT', {
    timeZone: 'Europe/Rome',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  });

const howJoined = (m: OwnMembership) =>
  m.source === 'import'
    ? 'importato da lista esistente del Comune'
    : `iscritto scrivendo, informativa privacy versione ${m.privacyVersion ?? 'non registrata'}`;

/**
 * The longest answer we send: WhatsApp takes far more (65,536), but one answer should read as one
 * message on a phone, whatever the number of lists.
 */
export const MAX_ANSWER_LENGTH = 4096;

/** Head, as many of the list lines as fit, a line saying how many did not, and the tail. */
function fitLines(head: string[], items: string[], tail: string[], more: (n: number) => string): string {
  const kept = [...items];
  const render = (dropped: number) =>
    [...head, ...kept, ...(dropped > 0 ? [more(dropped)] : []), ...tail].join('\n');
  let dropped = 0;
  while (kept.length > 0 && render(dropped).length > MAX_ANSWER_LENGTH) {
    kept.pop();
    dropped++;
  }
  return render(dropped);
}

/** The Comune's WhatsApp Channel, once one is set: another way to follow, without a number. */
const channelLine = (c: Comune, invite: string | undefined) =>
  invite ? [`Segui anche il canale WhatsApp del ${c.name}: ${invite}`] : [];

/** Every text a citizen reads: short, plain Italian. */
export const citizenTexts = {
  welcome: (c: Comune, list?: Named, channelInvite?: string) =>
    [
      `Iscrizione fatta${ofList(list)}. Da ora riceverai qui le notizie ufficiali del ${c.name}.`,
      'Per non riceverle più, scrivi *Cancella*.',
      ...channelLine(c, channelInvite),
      `Informativa privacy: ${c.privacyUrl}`,
    ].join('\n'),
  alreadySubscribed: (c: Comune, list?: Named) =>
    `Sei già iscritto alle notizie del ${c.name}${ofList(list)}. Per non riceverle più, scrivi *Cancella*.`,
  goodbye: (c: Comune) =>
    `Cancellazione fatta: non riceverai più le notizie del ${c.name} e il tuo numero è stato cancellato. ` +
    'Per iscriverti di nuovo, scrivi *Iscrizione*.',
  leftList: (c: Comune, list: Named) =>
    `Cancellazione fatta dalla lista ${list.name} del ${c.name}. Per lasciare tutte le liste, scrivi *Cancella*.`,
  notSubscribed: (c: Comune) =>
    `Non risulti iscritto. Per ricevere le notizie del ${c.name}, scrivi *Iscrizione*.`,
  noSuchList: (slug: string) =>
    `Non esiste una lista "${slug}". Scrivi *LISTE* per vedere quelle disponibili.`,
  /** The joinable lists, those the sender is on marked. */
  lists: (
    c: Comune,
    lists: { slug: string; name: string; description: string; isDefault: boolean }[],
    member: ReadonlySet<string> = new Set(),
    channelInvite?: string,
  ) =>
    fitLines(
      [`Liste del ${c.name}:`],
      lists.map(
        (l) =>
          `${member.has(l.slug) ? '✅' : '•'} *Iscrizione${l.isDefault ? '' : ` ${l.slug}`}*: ${l.description || l.name}` +
          (member.has(l.slug) ? ' (sei iscritto)' : ''),
      ),
      [
        'Per lasciare una lista: *Cancella* seguito dal nome; *Cancella* da solo le lascia tutte.',
        ...channelLine(c, channelInvite),
      ],
      (n) => `…e altre ${n} liste.`,
    ),
  privacy: (c: Comune) =>
    [
      `*Privacy delle notizie del ${c.name} su WhatsApp*`,
      `Titolare del trattamento: ${c.name}, ${c.email}.`,
      'Cosa teniamo: il tuo numero, le liste a cui sei iscritto, da quando e come ti sei iscritto ' +
        '(scrivendo o importato da lista esistente del Comune), la versione dell’informativa accettata, ' +
        'il nome del tuo profilo WhatsApp se ti sei iscritto scrivendo, e gli avvisi che ti abbiamo inviato. ' +
        'I tuoi messaggi non vengono conservati.',
      'Per quanto: finché resti iscritto. Con *Cancella* numero e nome vengono cancellati subito; ' +
        'restano conteggi anonimi e un’impronta del numero, che serve solo a non iscriverti di nuovo da un elenco importato.',
      'Per vedere i tuoi dati scrivi *I MIEI DATI*.',
      `Informativa completa: ${c.privacyUrl}`,
    ].join('\n'),
  /** "I MIEI DATI": only what is held about the sender; undefined data = on no list. */
  ownData: (c: Comune, data: OwnData | undefined) => {
    if (!data)
      return `Questo numero non è iscritto alle notizie del ${c.name}: non abbiamo liste né iscrizioni a suo nome. Per iscriverti scrivi *Iscrizione*.`;
    return fitLines(
      [
        `*I tuoi dati presso le notizie del ${c.name}*`,
        `Numero: ${data.number ?? 'non lo conosciamo (WhatsApp ci dà solo un identificativo interno)'}`,
        'Liste:',
      ],
      data.lists.map((m) => `• ${m.list}: dal ${romeDate(m.joinedAt)}, ${howJoined(m)}`),
      [
        `Avvisi ricevuti negli ultimi 30 giorni: ${data.receivedLast30Days}`,
        `Per non ricevere più nulla scrivi *Cancella*. Informativa: ${c.privacyUrl}`,
      ],
      (n) => `• …e altre ${n} liste (scrivi *LISTE* per vederle tutte).`,
    );
  },
  onlySends: (c: Comune) =>
    `Questo numero invia soltanto le notizie del ${c.name} e non legge i messaggi.\n` +
    `Per informazioni: telefono ${c.phone}, e-mail ${c.email}.\n` +
    'Per iscriverti scrivi *Iscrizione*, per cancellarti *Cancella*, per le liste *LISTE*.',
};

/**
 * The words for what a message did; undefined when nothing should be said. `channelInvite` is the
 * WhatsApp Channel's link, once one is set (the welcome and LISTE mention it).
 */
export function replyText(
  comune: Comune,
  outcome: InboundOutcome,
  channelInvite?: string,
): string | undefined {
  switch (outcome.kind) {
    case 'joined':
      return citizenTexts.welcome(comune, outcome.list, channelInvite);
    case 'already':
      return citizenTexts.alreadySubscribed(comune, outcome.list);
    case 'left':
      return outcome.erased || !outcome.list
        ? citizenTexts.goodbye(comune)
        : citizenTexts.leftList(comune, outcome.list);
    case 'not_subscribed':
      return citizenTexts.notSubscribed(comune);
    case 'no_such_list':
      return citizenTexts.noSuchList(outcome.slug);
    case 'lists':
      return citizenTexts.lists(comune, outcome.lists, outcome.mine, channelInvite);
    case 'privacy':
      return citizenTexts.privacy(comune);
    case 'own_data':
      return citizenTexts.ownData(comune, outcome.data);
    case 'other':
      return citizenTexts.onlySends(comune);
  }
}
