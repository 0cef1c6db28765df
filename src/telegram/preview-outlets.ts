import type { CloudConfig } from '../config.js';
import { bulletinOutlets } from '../core/bulletin-outlets.js';
import type { Bulletin } from '../core/bulletins.js';
import { cloudReach } from '../core/cloud-reach.js';
import type { OutletName } from '../core/outlets.js';
import { bulletinPageUrl } from '../core/public-link.js';
import { availableOutlets } from '../core/whatsapp-channel.js';
import type { Db } from '../db/client.js';
import { templateParameter } from '../whatsapp-cloud/messages.js';
import { cloudPreviewLines } from './texts.js';

/** Whether staff have a choice of outlets. */
export const choosable = (options: { outlets?: readonly OutletName[] | undefined }) =>
  (options.outlets?.length ?? 0) > 1;

/**
 * The outlets a bulletin goes out through and, while it may still be approved, those of them that
 * cannot publish now (the WhatsApp Channel unset since it was chosen), so the approver sees it.
 */
export async function outletFacts(db: Db, bulletin: Bulletin, configured: readonly OutletName[]) {
  const outlets = await bulletinOutlets(db, bulletin.id);
  if (bulletin.state !== 'pending') return { outlets };
  const available = await availableOutlets(db, configured);
  return { outlets, unavailableOutlets: outlets.filter((outlet) => !available.includes(outlet)) };
}

/** The preview's Cloud API lines, or none with the Baileys transport. */
export async function cloudLines(
  db: Db,
  bulletin: Bulletin,
  text: string,
  hasMedia: boolean,
  options: { whatsappCloud?: CloudConfig | undefined; publicBaseUrl?: string | undefined },
) {
  const cloud = options.whatsappCloud;
  if (!cloud) return undefined;
  const { fit } = templateParameter(text, {
    hasMedia,
    pageUrl: options.publicBaseUrl && bulletinPageUrl(options.publicBaseUrl, bulletin.id),
  });
  return cloudPreviewLines({
    reach: await cloudReach(db, bulletin.id, bulletin.audience),
    fit,
    hasTemplate: cloud.template !== undefined,
    pricePerMessage: cloud.pricePerMessage,
  });
}
