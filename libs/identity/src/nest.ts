import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { ForbiddenError, UnauthenticatedError } from '@licensing/graphql';
import { AccessRule, assertAdmitted } from './access-rules';
import { Identity, RequestContext } from './identity';

export const ACCESS_RULES = 'licensing:access-rules';

/** States who may call a resolver or controller method. Required on every operation. */
export const Allow = (...rules: [AccessRule, ...AccessRule[]]) => SetMetadata(ACCESS_RULES, rules);

/** The request context a subgraph receives: `req.licensing`, set by the identity middleware. */
export interface LicensingRequest {
  licensing?: RequestContext;
}

export function requestContextOf(context: ExecutionContext): RequestContext | undefined {
  if (context.getType<'graphql' | 'http'>() === 'graphql') {
    const gql = GqlExecutionContext.create(context).getContext<{ req?: LicensingRequest }>();
    return gql.req?.licensing;
  }
  return context.switchToHttp().getRequest<LicensingRequest>().licensing;
}

/**
 * Global guard: every operation must state its rules with @Allow; one that states nothing
 * is refused (fail closed). The identity comes from the verified gateway header. Resolvers
 * and HTTP controllers alike: a refusal reaches a GraphQL caller as a coded error and an
 * HTTP caller as 401 or 403.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    try {
      return this.admit(context);
    } catch (error) {
      if (context.getType<'graphql' | 'http'>() !== 'http') throw error;
      if (error instanceof UnauthenticatedError) throw new UnauthorizedException(error.message);
      if (error instanceof ForbiddenError) throw new ForbiddenException(error.message);
      throw error;
    }
  }

  private admit(context: ExecutionContext): boolean {
    const rules = this.reflector.getAllAndOverride<AccessRule[] | undefined>(ACCESS_RULES, [
      context.getHandler(),
      context.getClass(),
    ]);
    const name = `${context.getClass().name}.${context.getHandler().name}`;
    if (!rules?.length) throw new ForbiddenError(`${name} states no access rule`);
    if (rules.includes('public')) return true;
    const ctx = requestContextOf(context);
    if (!ctx) throw new ForbiddenError('Request did not come through the gateway');
    const field =
      context.getType<'graphql' | 'http'>() === 'graphql'
        ? GqlExecutionContext.create(context).getInfo<{ fieldName: string }>().fieldName
        : name;
    assertAdmitted(rules, ctx.identity, field);
    return true;
  }
}

export const CurrentIdentity = createParamDecorator((_: unknown, context: ExecutionContext): Identity => {
  return requestContextOf(context)?.identity ?? { kind: 'application' };
});

export const CurrentRequest = createParamDecorator(
  (_: unknown, context: ExecutionContext): RequestContext =>
    requestContextOf(context) ?? { identity: { kind: 'application' }, requestId: '', clientIp: '' },
);

const RESOLVER_TYPE = 'graphql:resolver_type';

/**
 * Lists the Query/Mutation methods of the given resolver classes that carry no @Allow,
 * so a test can fail the build for an operation that states nothing.
 */
export function findOperationsWithoutAccessRules(
  resolvers: ReadonlyArray<new (...args: never[]) => unknown>,
): string[] {
  const missing: string[] = [];
  for (const cls of resolvers) {
    const proto = cls.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const method = proto[name];
      if (name === 'constructor' || typeof method !== 'function') continue;
      const type = Reflect.getMetadata(RESOLVER_TYPE, method) as string | undefined;
      if (type !== 'Query' && type !== 'Mutation' && type !== 'Subscription') continue;
      const rules = (Reflect.getMetadata(ACCESS_RULES, method) ?? Reflect.getMetadata(ACCESS_RULES, cls)) as
        AccessRule[] | undefined;
      if (!rules?.length) missing.push(`${cls.name}.${name}`);
    }
  }
  return missing;
}
