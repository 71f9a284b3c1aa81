import type { ApolloServerPlugin } from '@apollo/server';
import { PUBLIC_ERROR_CODES } from '@licensing/graphql';
import { LATENCY_BUCKETS, Metrics } from './metrics';

/**
 * The operation names of the contract (`contract/*.graphql`): the only names that become a
 * label value, so a client inventing names cannot grow the series without bound.
 * `operations.spec.ts` keeps this list equal to the contract.
 */
export const CONTRACT_OPERATIONS: ReadonlySet<string> = new Set([
  'AcquireLicense',
  'ActivateCoupon',
  'ActivateCouponFromApp',
  'ActivateTrial',
  'CheckLicense',
  'ClientLogin',
  'Coupon',
  'CouponStatistics',
  'Coupons',
  'CreateDistributor',
  'CreateLicenseKey',
  'CreateProduct',
  'CreateStaff',
  'CreateVendor',
  'CreateWebhookEndpoint',
  'DeactivateActivation',
  'DeleteLicenseKey',
  'Distributors',
  'GenerateCoupons',
  'Heartbeat',
  'LicenseCheck',
  'LicenseKeyCard',
  'LicenseKeys',
  'Login',
  'MyLicenseKey',
  'Notifications',
  'Products',
  'Register',
  'ReleaseLicense',
  'ResetBinding',
  'ResetBindings',
  'TerminateSession',
  'UpdateLicenseKey',
  'Vendors',
  'WebhookDeliveries',
]);

/** A subgraph sees the gateway's fetches as `<Operation>__<subgraph>__<n>`. */
const GATEWAY_FETCH_SUFFIX = /__[A-Za-z0-9_]+__\d+$/;

/** The label of an operation name: a contract operation's name, `anonymous` or `other`. */
export function operationLabel(name: string | null | undefined): string {
  if (!name) return 'anonymous';
  const base = name.replace(GATEWAY_FETCH_SUFFIX, '');
  return CONTRACT_OPERATIONS.has(base) ? base : 'other';
}

/** The label of an error code: one the API documents, else `other`. */
export function errorCodeLabel(code: unknown): string {
  return typeof code === 'string' && PUBLIC_ERROR_CODES.has(code) ? code : 'other';
}

/** The GraphQL series of a process (created once per registry). */
export function graphqlSeries(metrics: Metrics) {
  return {
    duration: metrics.histogram<'operation'>({
      name: 'graphql_request_duration_seconds',
      help: 'GraphQL requests by operation: count and time from receipt to response',
      labelNames: ['operation'],
      buckets: LATENCY_BUCKETS,
    }),
    errors: metrics.counter<'operation' | 'code'>({
      name: 'graphql_errors_total',
      help: 'Errors in GraphQL responses, by operation and extensions.code',
      labelNames: ['operation', 'code'],
    }),
  };
}

/**
 * Counts and times every GraphQL request and counts its errors by code. On the hot path it
 * costs a clock read, a label lookup and a histogram increment per request.
 */
export function graphqlMetricsPlugin(metrics: Metrics): ApolloServerPlugin {
  const { duration, errors } = graphqlSeries(metrics);
  return {
    requestDidStart: ({ request }) => {
      const started = process.hrtime.bigint();
      return Promise.resolve({
        willSendResponse: ({ operationName, response }) => {
          const operation = operationLabel(operationName ?? request.operationName);
          duration.observe({ operation }, Number(process.hrtime.bigint() - started) / 1e9);
          const body = response.body;
          const list = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          if (list) for (const e of list) errors.inc({ operation, code: errorCodeLabel(e.extensions?.['code']) });
          return Promise.resolve();
        },
      });
    },
  };
}
