/** What the demo's stand-in socket (inside the program) and the demo (its parent) say over IPC. */

/** A message the program sent to a citizen, as the phone shows it. */
export type PhoneMessage = {
  id: string;
  jid: string;
  text: string;
  /** An image, base64, with its type; a document by name only. */
  image?: { mimeType: string; base64: string };
  document?: { fileName: string };
};

/** 2 sent (server ack), 3 delivered, 4 read: Baileys' WebMessageInfo.Status. */
export type Tick = 2 | 3 | 4;

export type FromProgram =
  | { type: 'open' }
  | { type: 'sent'; message: PhoneMessage }
  | { type: 'status'; id: string; jid: string; status: Tick };

export type ToProgram = { type: 'incoming'; jid: string; text: string; pushName: string; id: string };
