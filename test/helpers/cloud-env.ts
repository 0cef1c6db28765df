import { PHONE_NUMBER_ID } from './graph-api.js';

export const APP_SECRET = 'test-app-secret';
export const VERIFY_TOKEN = 'test-verify-token';

/** The environment of a Comune on the Cloud API, pointed at the stand-in. */
export function cloudEnv(apiRoot: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    WA_TRANSPORT: 'cloud',
    WA_CLOUD_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
    WA_CLOUD_ACCESS_TOKEN: 'test-access-token',
    WA_CLOUD_APP_SECRET: APP_SECRET,
    WA_CLOUD_VERIFY_TOKEN: VERIFY_TOKEN,
    WA_CLOUD_API_ROOT: apiRoot,
    WA_CLOUD_TEMPLATE: 'bollettino_comune:it',
    ...overrides,
  };
}
