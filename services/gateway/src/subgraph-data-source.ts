import { GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { IDENTITY_HEADER, LicensingRequest, REQUEST_ID_HEADER, signIdentityHeader } from '@licensing/identity';

export interface GatewayContext {
  req?: LicensingRequest;
}

/**
 * Calls one subgraph with the caller's verified identity in the signed header; subgraphs
 * trust nothing else. The URL comes from configuration, not from the supergraph file.
 */
export class SignedSubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    url: string,
    private readonly signingSecret: string,
  ) {
    super({ url });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const licensing = context.req?.licensing;
    if (!licensing || !request.http) return;
    request.http.headers.set(IDENTITY_HEADER, signIdentityHeader(this.signingSecret, licensing));
    request.http.headers.set(REQUEST_ID_HEADER, licensing.requestId);
  }
}
