/** Variables that point at real accounts or data: with any of them set, the demo does not start. */
const REAL_SETTINGS = [
  'TELEGRAM_BOT_TOKEN',
  'STAFF_CHAT_ID',
  'ADMIN_TELEGRAM_IDS',
  'TELEGRAM_CHANNEL_ID',
  'DATABASE_URL',
  'WA_CLOUD_ACCESS_TOKEN',
  'WA_CLOUD_APP_SECRET',
  'WA_CLOUD_PHONE_NUMBER_ID',
  'WA_CLOUD_VERIFY_TOKEN',
];

/** The real settings present in `env` (names only, never their values). */
export function realSettingsIn(env: Record<string, string | undefined>): string[] {
  return Object.keys(env)
    .filter((name) => REAL_SETTINGS.includes(name))
    .filter((name) => (env[name] ?? '').trim() !== '')
    .sort();
}

/** The one message that says why the demo will not start, and what to do. */
export function refusalMessage(names: string[]): string {
  return [
    `banditore demo: refusing to start: ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} set in the environment.`,
    'banditore demo: the demo runs only against its own stand-ins and never touches real accounts or databases;',
    `banditore demo: run it in a shell without them, e.g. env ${names.map((n) => `-u ${n}`).join(' ')} npm run demo`,
  ].join('\n');
}
