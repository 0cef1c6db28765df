import type {
  BroadcastOutlet,
  OutgoingBulletin,
  OutletCapabilities,
  OutletHealth,
  OutletName,
  PublishResult,
} from '../../src/core/outlets.js';

/** A publish call as the platform would have seen it. */
export type Published = { bulletin: OutgoingBulletin; at: number; externalId: string };

/**
 * A stand-in broadcast platform behind the outlet port: records every publish and revoke, gives
 * posts ids `<name>-<n>`, and fails on demand (the next calls, or every call). With `findable`
 * it implements findPosted over what it holds; `hold()` makes publish wait until `release()`.
 */
export function createRecordingOutlet(
  name: Exclude<OutletName, 'whatsapp'>,
  options: { capabilities?: Partial<OutletCapabilities>; findable?: boolean; health?: OutletHealth } = {},
) {
  const published: Published[] = [];
  const revoked: string[] = [];
  const failures: PublishResult[] = [];
  let refuseRevoke = false;
  let held: Promise<void> | undefined;
  let releaseHeld: (() => void) | undefined;
  /** Posts the platform holds, found by findPosted (bulletin id -> post id). */
  const posts = new Map<number, string>();

  const outlet: BroadcastOutlet = {
    name,
    capabilities: { revoke: true, media: true, paced: false, ...options.capabilities },
    async publish(bulletin) {
      if (held) await held;
      const failure = failures.shift();
      if (failure) return failure;
      const externalId = `${name}-${published.length + 1}`;
      published.push({ bulletin, at: Date.now(), externalId });
      posts.set(bulletin.bulletinId, externalId);
      return { ok: true, externalId };
    },
    ...(options.findable
      ? { findPosted: async (bulletin: OutgoingBulletin) => posts.get(bulletin.bulletinId) }
      : {}),
    ...(options.capabilities?.revoke === false
      ? {}
      : {
          async revoke(externalId: string) {
            if (refuseRevoke) return false;
            revoked.push(externalId);
            return true;
          },
        }),
    health: async () => options.health ?? { ok: true, detail: 'ok' },
  };

  return {
    outlet,
    published,
    revoked,
    /** The next publish calls answer these failures, in order. */
    failNext(...results: PublishResult[]) {
      failures.push(...results);
    },
    refuseRevokes() {
      refuseRevoke = true;
    },
    /** A post the platform already holds (made before a crash), for findPosted. */
    holdsPost(bulletinId: number, externalId: string) {
      posts.set(bulletinId, externalId);
    },
    hold() {
      held = new Promise((resolve) => {
        releaseHeld = resolve;
      });
    },
    release() {
      releaseHeld?.();
      held = undefined;
    },
  };
}
