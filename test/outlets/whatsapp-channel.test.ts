import { eq } from 'drizzle-orm';
import { expect, it, vi } from 'vitest';
import { whatsappChannel } from '../../src/db/schema.js';
import { bridgeHarness } from '../helpers/bridge.js';
import { describeWithDatabase } from '../helpers/db.js';
import { outgoingBulletin } from '../helpers/outgoing.js';
import type { StandInNewsletter, StandInSocket } from '../helpers/wa-socket.js';

const LINK = 'https://notizie.comune.prova.it/bollettini/7';

describeWithDatabase('WhatsApp Channel outlet', (ctx) => {
  const wa = bridgeHarness(ctx);

  /** A linked bridge whose Comune has a Channel where the number holds `role`. */
  async function linked(role: StandInNewsletter['role'] = 'OWNER', ackTimeoutMs = 2_000) {
    const { bridge, socket } = await wa.start({ channel: { ackTimeoutMs } });
    socket.open();
    await vi.waitFor(() => expect(bridge.state().link).toBe('open'), { timeout: 10_000 });
    const channel = socket.addNewsletter({ name: 'Notizie del Comune', role, subscribers: 1234 });
    await ctx.db
      .insert(whatsappChannel)
      .values({ jid: channel.jid, name: channel.name, inviteCode: channel.invite, role, followers: 1234 });
    return { outlet: bridge.channelOutlet!, socket, channel, bridge };
  }

  const posts = (socket: StandInSocket, jid: string) => socket.sent.filter((m) => m.jid === jid);

  it('posts a bulletin once, as WhatsApp markup with the archive link, and counts it when WhatsApp acks it', async () => {
    const { outlet, socket, channel } = await linked();
    const result = await outlet.publish(outgoingBulletin({ link: LINK }));

    expect(posts(socket, channel.jid)).toEqual([
      {
        jid: channel.jid,
        content: { text: `*Strada chiusa* in _via Roma_ domani.\n\n${LINK}`, linkPreview: null },
        messageId: expect.stringMatching(/^3EB0[0-9A-F]{18}$/),
      },
    ]);
    const messageId = posts(socket, channel.jid)[0]!.messageId;
    expect(result).toEqual({ ok: true, externalId: `${channel.jid}|${messageId}|100` });
  });

  it('posts the image with its caption through the newsletter media path', async () => {
    const { outlet, socket, channel } = await linked();
    const result = await outlet.publish(outgoingBulletin({ media: { kind: 'image' } }));

    const [post] = posts(socket, channel.jid);
    expect(post?.content).toMatchObject({
      image: expect.any(Buffer),
      caption: '*Strada chiusa* in _via Roma_ domani.',
    });
    expect(socket.uploads).toEqual([{ mediaType: 'image' }]);
    expect(result).toMatchObject({ ok: true });
    expect(result).not.toHaveProperty('note');
  });

  it('posts the text with the archive link when the media upload fails, and says so', async () => {
    const { outlet, socket, channel } = await linked();
    socket.failNewsletterMedia();
    const result = await outlet.publish(outgoingBulletin({ media: { kind: 'image' }, link: LINK }));

    expect(posts(socket, channel.jid).map((m) => m.content)).toEqual([
      { text: `*Strada chiusa* in _via Roma_ domani.\n\n${LINK}`, linkPreview: null },
    ]);
    expect(result).toMatchObject({
      ok: true,
      note: 'immagine non inviata: Media upload failed on all hosts',
    });
  });

  it('falls back to the text when WhatsApp refuses the media post in its ack', async () => {
    const { outlet, socket, channel } = await linked();
    socket.ackNextNewsletterPosts({ error: '479' });
    const result = await outlet.publish(outgoingBulletin({ media: { kind: 'document' } }));

    expect(posts(socket, channel.jid).map((m) => Object.keys(m.content)[0])).toEqual(['document', 'text']);
    expect(result).toMatchObject({
      ok: true,
      note: expect.stringMatching(/^documento non inviata: .*479.*PUBLIC_BASE_URL/),
    });
  });

  it('counts a post WhatsApp never acknowledged, noted as not confirmed', async () => {
    const { outlet, socket, channel } = await linked('ADMIN', 50);
    socket.newsletterAcks('silent');
    const result = await outlet.publish(outgoingBulletin());

    const messageId = posts(socket, channel.jid)[0]!.messageId;
    expect(result).toEqual({
      ok: true,
      externalId: `${channel.jid}|${messageId}|`,
      note: 'non confermato da WhatsApp: controlla il canale dal telefono',
    });
  });

  it('refuses when the number may not post, and waits when WhatsApp is not connected', async () => {
    const { outlet, socket, channel, bridge } = await linked('SUBSCRIBER');
    expect(await outlet.publish(outgoingBulletin())).toMatchObject({
      ok: false,
      failure: 'not_allowed',
      retryable: false,
    });
    socket.close(428);
    await vi.waitFor(() => expect(bridge.state().link).not.toBe('open'));
    expect(await outlet.publish(outgoingBulletin())).toMatchObject({
      ok: false,
      failure: 'unreachable',
      retryable: true,
    });
    expect(await outlet.health()).toMatchObject({
      ok: false,
      detail: 'Notizie del Comune: WhatsApp non collegato',
    });
    expect(posts(socket, channel.jid)).toEqual([]);
  });

  it('says there is no Channel when none is set', async () => {
    const { outlet } = await linked();
    await ctx.db.delete(whatsappChannel);
    expect(await outlet.publish(outgoingBulletin())).toMatchObject({ ok: false, failure: 'not_found' });
    expect(await outlet.health()).toMatchObject({ ok: false });
  });

  it('deletes the post as a Channel admin does: its own id, edit="8", nothing inside', async () => {
    const { outlet, socket, channel } = await linked();
    const result = await outlet.publish(outgoingBulletin());
    if (!result.ok) throw new Error('not published');
    const messageId = posts(socket, channel.jid)[0]!.messageId;

    expect(await outlet.revoke!(result.externalId)).toBe(true);
    expect(posts(socket, channel.jid).at(-1)).toMatchObject({
      messageId,
      message: {},
      attributes: { edit: '8' },
    });
    socket.ackNextNewsletterPosts({ error: '404' });
    expect(await outlet.revoke!(result.externalId)).toBe(false);
  });

  it('is healthy while the number owns the Channel, and not once WhatsApp says it no longer may post', async () => {
    const { outlet, socket, channel } = await linked();
    expect(await outlet.health()).toEqual({ ok: true, detail: 'Notizie del Comune: pronto' });

    socket.newsletters.get(channel.jid)!.role = 'SUBSCRIBER';
    socket.newsletters.get(channel.jid)!.subscribers = 1500;
    expect(await outlet.health()).toMatchObject({ ok: false });
    const [row] = await ctx.db.select().from(whatsappChannel).where(eq(whatsappChannel.jid, channel.jid));
    expect(row).toMatchObject({ role: 'SUBSCRIBER', followers: 1500 });
  });
});
