/** Versioned topic names; a breaking change to a topic's events gets a new version. */
export const Topics = {
  keys: 'licensing.keys.v1',
  coupons: 'licensing.coupons.v1',
  sessions: 'licensing.sessions.v1',
  notifications: 'licensing.notifications.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

export const ALL_TOPICS: readonly TopicName[] = Object.values(Topics);
