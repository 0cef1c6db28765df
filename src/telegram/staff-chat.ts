/**
 * The staff group's chat id for this run: STAFF_CHAT_ID, or the supergroup it was upgraded to
 * (Telegram gives a group a new id when it becomes a supergroup). Everything that posts to the
 * staff group reads `id` when it posts.
 */
export type StaffChat = {
  readonly id: number;
  /** Follows an upgrade to `newId`; false when it was followed already. */
  follow(newId: number): boolean;
};

export function createStaffChat(configuredId: number): StaffChat {
  let id = configuredId;
  return {
    get id() {
      return id;
    },
    follow(newId) {
      if (newId === id) return false;
      id = newId;
      return true;
    },
  };
}
