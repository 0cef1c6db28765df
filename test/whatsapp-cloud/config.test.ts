import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';
import { cloudEnv } from '../helpers/cloud-env.js';

const bot = {
  TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  STAFF_CHAT_ID: '-100123',
  ADMIN_TELEGRAM_IDS: '1',
};

function problems(env: Record<string, string>): string[] {
  try {
    parseConfig({ ...bot, ...env }, 'all');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('WA_TRANSPORT and the WA_CLOUD_* variables', () => {
  it('keeps Baileys by default, with no Cloud settings', () => {
    const config = parseConfig(bot, 'all');
    expect(config.waTransport).toBe('baileys');
    expect(config.whatsappCloud).toBeUndefined();
  });

  it('reads a complete Cloud configuration with its defaults', () => {
    const config = parseConfig({ ...bot, ...cloudEnv('https://graph.facebook.com/v23.0/') }, 'all');
    expect(config.whatsappCloud).toMatchObject({
      phoneNumberId: '106540352242922',
      apiRoot: 'https://graph.facebook.com/v23.0',
      template: { name: 'bollettino_comune', language: 'it' },
      ratePerSecond: 20,
      dailyLimit: 250,
      pricePerMessage: undefined,
      reconcileMs: 60_000,
    });
  });

  it('names each missing variable with what to set', () => {
    expect(problems({ WA_TRANSPORT: 'cloud' })).toEqual([
      'WA_CLOUD_PHONE_NUMBER_ID: required with WA_TRANSPORT=cloud; set it to the phone number id (WhatsApp > API Setup)',
      "WA_CLOUD_ACCESS_TOKEN: required with WA_TRANSPORT=cloud; set it to a System User's permanent token",
      'WA_CLOUD_APP_SECRET: required with WA_TRANSPORT=cloud; set it to the app secret (App settings > Basic)',
      'WA_CLOUD_VERIFY_TOKEN: required with WA_TRANSPORT=cloud; set it to a verify token of your choice, typed also in the webhook settings',
    ]);
  });

  it.each([
    [{ WA_TRANSPORT: 'meta' }, 'WA_TRANSPORT: set it to baileys or cloud'],
    [
      { WA_CLOUD_RATE_PER_SECOND: '81' },
      "WA_CLOUD_RATE_PER_SECOND: set it to at most 80, the Cloud API's default throughput per number",
    ],
    [
      { WA_CLOUD_DAILY_LIMIT: '100' },
      "WA_CLOUD_DAILY_LIMIT: set it to your number's messaging limit: 250 or more (Meta's tiers start at 250)",
    ],
    [
      { WA_CLOUD_TEMPLATE: 'bollettino comune' },
      'WA_CLOUD_TEMPLATE: set it to name:language, e.g. bollettino_comune:it',
    ],
    [
      { WA_CLOUD_PHONE_NUMBER_ID: '+39 055' },
      'WA_CLOUD_PHONE_NUMBER_ID: set it to the phone number id Meta shows under WhatsApp > API Setup (digits)',
    ],
    [
      { WA_CLOUD_PRICE_PER_MESSAGE: 'cinque' },
      'WA_CLOUD_PRICE_PER_MESSAGE: set it to the price of one template message in euro, e.g. 0.0572',
    ],
  ])('refuses %j', (override, problem) => {
    expect(problems({ ...cloudEnv('https://graph.facebook.com/v23.0'), ...override })).toEqual([problem]);
  });

  it('reads a price with a decimal comma', () => {
    const config = parseConfig(
      { ...bot, ...cloudEnv('https://x.example/v23.0', { WA_CLOUD_PRICE_PER_MESSAGE: '0,0572' }) },
      'all',
    );
    expect(config.whatsappCloud?.pricePerMessage).toBe(0.0572);
  });
});
