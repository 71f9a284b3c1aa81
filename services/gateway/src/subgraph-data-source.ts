import { GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { IDENTITY_HEADER, REQUEST_ID_HEADER, signIdentityHeader } from '@licensing/identity';
import { RATE_LIMIT_HEADERS } from '@licensing/platform';
import { GatewayConfig } from './config';
import { Fetcher, subgraphFetcher } from './subgraph-fetcher';
import type { GatewayContext } from './request-context';

type ReceivedResponse = Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse']>>[0];

/**
 * Calls one subgraph with the caller's verified identity in the signed header (subgraphs
 * trust nothing else) and the request id. Never forwards the client's own headers.
 */
export class SignedSubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    url: string,
    private readonly signingSecret: string,
    fetcher: Fetcher = subgraphFetcher(),
  ) {
    super({ url, fetcher });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const licensing = context.req?.licensing;
    // Every /graphql request passes the auth middleware first; without its context there
    // is no identity to vouch for, so nothing is sent.
    if (!licensing) throw new Error('No authenticated request context for a subgraph call');
    request.http?.headers.set(IDENTITY_HEADER, signIdentityHeader(this.signingSecret, licensing));
    request.http?.headers.set(REQUEST_ID_HEADER, licensing.requestId);
  }

  /**
   * A subgraph's throttle that refused the request says so in RateLimit headers; they are
   * passed on to the client's response (the only subgraph headers that are).
   */
  override didReceiveResponse({ response, context }: ReceivedResponse): ReceivedResponse['response'] {
    const from = response.http?.headers;
    const to = context.req?.res;
    if (from?.get('retry-after') && to && !to.headersSent) {
      for (const name of RATE_LIMIT_HEADERS) {
        const value = from.get(name);
        if (value) to.setHeader(name, value);
      }
    }
    return response;
  }
}

/** The subgraph URLs of this deployment, by the subgraph names of the supergraph. */
export function subgraphUrls(config: GatewayConfig): Record<string, string> {
  return {
    keys: config.KEYS_URL,
    coupons: config.COUPONS_URL,
    sessions: config.SESSIONS_URL,
    notifications: config.NOTIFICATIONS_URL,
  };
}

/**
 * ApolloGateway's `buildService`: the URL baked into the supergraph is ignored in favour
 * of the configured one, and a subgraph this gateway has no setting for stops the boot.
 */
export function subgraphServiceBuilder(
  config: GatewayConfig,
  onBuilt: (name: string, url: string) => void = () => undefined,
): (definition: { name: string; url?: string }) => SignedSubgraphDataSource {
  const urls = subgraphUrls(config);
  // One keep-alive pool per subgraph address, shared by the data sources.
  const fetcher = subgraphFetcher();
  return ({ name }) => {
    const url = urls[name];
    if (!url) {
      throw new Error(`The supergraph names a subgraph "${name}" that the gateway has no URL setting for`);
    }
    onBuilt(name, url);
    return new SignedSubgraphDataSource(url, config.IDENTITY_SIGNING_SECRET, fetcher);
  };
}
