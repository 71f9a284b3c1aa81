/** Injection tokens shared by every subgraph service. */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const SERVICE_NAME = Symbol('SERVICE_NAME');
export const REDIS = Symbol('REDIS');
export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');
