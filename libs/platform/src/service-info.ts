import { Directive, Field, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '@licensing/identity';
import type { ServiceName } from './subgraph.module';

/** Set by the build (the Dockerfile passes the commit); `dev` when run from a checkout. */
const version = process.env['APP_VERSION'] ?? 'dev';

@ObjectType({ description: 'Which build of a subgraph answers; for operators and support.' })
@Directive('@shareable')
export class ServiceInfo {
  @Field()
  service!: string;

  @Field()
  version!: string;
}

/**
 * Each subgraph answers `<service>Info`, so operators can see which build of every
 * subgraph the gateway reaches. It also gives every subgraph a Query root from day one.
 */
export function serviceInfoResolver(service: ServiceName): new () => unknown {
  @Resolver()
  class ServiceInfoResolver {
    @Allow('operator', 'vendor')
    @Query(() => ServiceInfo, { name: `${service}Info` })
    info(): ServiceInfo {
      return { service, version };
    }
  }
  Object.defineProperty(ServiceInfoResolver, 'name', {
    value: `${service[0]!.toUpperCase()}${service.slice(1)}InfoResolver`,
  });
  return ServiceInfoResolver;
}
