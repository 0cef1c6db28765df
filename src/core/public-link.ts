/**
 * The public archive's addresses. One place builds them, so the page, the feeds and the link
 * appended to every outlet's message (BULLETIN_LINK) always agree.
 */

/** The page of one bulletin in the archive: `<base>/bollettini/<id>`. */
export function bulletinPageUrl(publicBaseUrl: string, bulletinId: number): string {
  return `${publicBaseUrl}/bollettini/${bulletinId}`;
}

/** The link to append to outlets' messages, or null when BULLETIN_LINK is off or no base is set. */
export function appendedLink(
  config: { publicBaseUrl: string | undefined; bulletinLink: boolean },
  bulletinId: number,
): string | null {
  if (!config.bulletinLink || config.publicBaseUrl === undefined) return null;
  return bulletinPageUrl(config.publicBaseUrl, bulletinId);
}
