import type { InboundOutcome } from '../core/answer-inbound.js';

export type Comune = { name: string; phone: string; email: string; privacyUrl: string };

type Named = { slug: string; name: string; isDefault?: boolean };

/** " (lista Scuola)" for a list other than the default one. */
const ofList = (list: Named | undefined) => (list && !list.isDefault ? ` (lista ${list.name})` : '');

/** Every text a citizen reads: short, plain Italian. */
export const citizenTexts = {
  welcome: (c: Comune, list?: Named) =>
    `Iscrizione fatta${ofList(list)}. Da ora riceverai qui le notizie ufficiali del ${c.name}.\n` +
    `Per non riceverle più, scrivi *Cancella*.\nInformativa privacy: ${c.privacyUrl}`,
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
  lists: (c: Comune, lists: { slug: string; name: string; description: string; isDefault: boolean }[]) =>
    [
      `Liste del ${c.name}:`,
      ...lists.map((l) =>
        l.isDefault
          ? `• *Iscrizione*: ${l.description || l.name}`
          : `• *Iscrizione ${l.slug}*: ${l.description || l.name}`,
      ),
      'Per lasciare una lista: *Cancella* seguito dal nome; *Cancella* da solo le lascia tutte.',
    ].join('\n'),
  onlySends: (c: Comune) =>
    `Questo numero invia soltanto le notizie del ${c.name} e non legge i messaggi.\n` +
    `Per informazioni: telefono ${c.phone}, e-mail ${c.email}.\n` +
    'Per iscriverti scrivi *Iscrizione*, per cancellarti *Cancella*, per le liste *LISTE*.',
};

/** The words for what a message did; undefined when nothing should be said. */
export function replyText(comune: Comune, outcome: InboundOutcome): string | undefined {
  switch (outcome.kind) {
    case 'joined':
      return citizenTexts.welcome(comune, outcome.list);
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
      return citizenTexts.lists(comune, outcome.lists);
    case 'other':
      return citizenTexts.onlySends(comune);
  }
}
