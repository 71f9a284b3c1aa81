import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';

/**
 * What front-end developers get outside production: a sandbox page on `GET /graphql` (for a
 * browser, which asks for text/html), where the platform operator's token may introspect the
 * API schema (see `operatorIntrospection` of the query limits). In production there is no page
 * (the driver's `playground: false` installs Apollo's disabled landing page) and introspection
 * follows GRAPHQL_INTROSPECTION alone. The committed `api-schema.graphql` serves code
 * generation without either.
 */
export function sandboxPlugins(production: boolean): ApolloServerPlugin[] {
  if (production) return [];
  return [ApolloServerPluginLandingPageLocalDefault({ embed: true, footer: false, includeCookies: false })];
}
