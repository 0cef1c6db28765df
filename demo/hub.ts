import type { Tick } from './wa-protocol.js';

/** A button under a bot message, as the page offers it. */
export type Button = { text: string; data?: string; url?: string };

/** A message in the staff group, as the page shows it. */
export type StaffView = {
  id: number;
  author: string;
  fromBot: boolean;
  html: string;
  photo?: string;
  document?: { name: string; url: string };
  keyboard: Button[][];
  /** The bot asked for an answer to this message (the reason of a rejection). */
  asksReply: boolean;
  replyTo?: number;
  edited: boolean;
  deleted: boolean;
};

/** A message on a citizen's phone. */
export type PhoneView = {
  id: string;
  phone: number;
  fromCitizen: boolean;
  html: string;
  image?: string;
  document?: string;
  status?: Tick;
};

export type DemoEvent =
  | { kind: 'staff'; message: StaffView }
  | { kind: 'phone'; message: PhoneView }
  | { kind: 'toast'; text: string };

export type StoredFile = { data: Buffer; mimeType: string; name: string };

/** What the page shows, kept here so a page opened late sees all of it, and the live feed of changes. */
export function createHub() {
  const staff = new Map<number, StaffView>();
  const phones = new Map<string, PhoneView>();
  const files = new Map<string, StoredFile>();
  const listeners = new Set<(event: DemoEvent) => void>();
  let nextFile = 1;

  function publish(event: DemoEvent) {
    if (event.kind === 'staff') staff.set(event.message.id, event.message);
    if (event.kind === 'phone') phones.set(event.message.id, event.message);
    for (const listener of listeners) listener(event);
  }

  return {
    publish,
    staffMessage: (id: number) => staff.get(id),
    phoneMessage: (id: string) => phones.get(id),
    snapshot(): DemoEvent[] {
      return [
        ...[...staff.values()].map((message) => ({ kind: 'staff' as const, message })),
        ...[...phones.values()].map((message) => ({ kind: 'phone' as const, message })),
      ];
    },
    subscribe(listener: (event: DemoEvent) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Keeps a file and returns its id; the page serves it at /demo/files/<id>. */
    addFile(file: StoredFile, id = `f${nextFile++}`): string {
      files.set(id, file);
      return id;
    },
    file: (id: string) => files.get(id),
  };
}

export type Hub = ReturnType<typeof createHub>;

export const fileUrl = (id: string) => `/demo/files/${encodeURIComponent(id)}`;
