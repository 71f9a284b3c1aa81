/** Versioned topic names; a breaking change to a topic's events gets a new version. */
export const Topics = {
  keys: 'licensing.keys.v1',
  coupons: 'licensing.coupons.v1',
  sessions: 'licensing.sessions.v1',
  notifications: 'licensing.notifications.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

export const ALL_TOPICS: readonly TopicName[] = Object.values(Topics);

/**
 * Partitions of every licensing topic (`ensureTopics` creates them so). Events of one subject
 * stay on one partition, in order; consumers of one group split the partitions.
 */
export const TOPIC_PARTITIONS = 3;
