export type Comune = { name: string; phone: string; email: string; privacyUrl: string };

/** Every text a citizen reads: short, plain Italian. */
export const citizenTexts = {
  welcome: (c: Comune) =>
    `Iscrizione fatta. Da ora riceverai qui le notizie ufficiali del ${c.name}.\n` +
    `Per non riceverle più, scrivi *Cancella*.\nInformativa privacy: ${c.privacyUrl}`,
  alreadySubscribed: (c: Comune) =>
    `Sei già iscritto alle notizie del ${c.name}. Per non riceverle più, scrivi *Cancella*.`,
  goodbye: (c: Comune) =>
    `Cancellazione fatta: non riceverai più le notizie del ${c.name}. Per iscriverti di nuovo, scrivi *Iscrizione*.`,
  notSubscribed: (c: Comune) =>
    `Non risulti iscritto. Per ricevere le notizie del ${c.name}, scrivi *Iscrizione*.`,
  onlySends: (c: Comune) =>
    `Questo numero invia soltanto le notizie del ${c.name} e non legge i messaggi.\n` +
    `Per informazioni: telefono ${c.phone}, e-mail ${c.email}.\n` +
    `Per iscriverti scrivi *Iscrizione*, per cancellarti *Cancella*.`,
};
