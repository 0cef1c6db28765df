import type { User, UserFromGetMe } from 'grammy/types';

/** The demo's staff group, its bot and the two people in it; none of it is real. */

export const STAFF_CHAT_ID = -1001000000001;
/** Well-formed, so the program's configuration accepts it; it opens nothing anywhere. */
export const DEMO_BOT_TOKEN = '100000001:demo-token-not-valid-anywhere';

export const demoBot: UserFromGetMe = {
  id: 100000001,
  is_bot: true,
  first_name: 'Banditore',
  username: 'banditore_demo_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

export type StaffKey = 'anna' | 'marco';

export type StaffMember = { key: StaffKey; user: User; role: string };

export const STAFF: Record<StaffKey, StaffMember> = {
  anna: {
    key: 'anna',
    user: { id: 1001, is_bot: false, first_name: 'Anna' },
    role: 'amministratrice (approva)',
  },
  marco: { key: 'marco', user: { id: 1002, is_bot: false, first_name: 'Marco' }, role: 'redattore' },
};

export const isStaffKey = (value: unknown): value is StaffKey => value === 'anna' || value === 'marco';

/** The three citizens' phones. */
export const CITIZENS = [
  { name: 'Giulia', jid: '393331000001@s.whatsapp.net', number: '+39 333 100 0001' },
  { name: 'Paolo', jid: '393331000002@s.whatsapp.net', number: '+39 333 100 0002' },
  { name: 'Rosa', jid: '393331000003@s.whatsapp.net', number: '+39 333 100 0003' },
] as const;
