import { ValidationArguments, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The cabinets' development servers (Next.js and Vite), allowed when NODE_ENV is development. */
export const DEVELOPMENT_ORIGINS = [
  'http://localhost:3000',
  'http://127.0.0.1:3000',
  'http://localhost:5173',
  'http://127.0.0.1:5173',
];

/** An origin as browsers send it: scheme, host and an optional port, nothing after. */
const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * The origins of a CORS_ORIGINS value: a comma list of exact origins. Empty means the
 * default of the environment (the cabinets' local origins in development, none otherwise);
 * `none` means none. A wildcard is refused: with credentials allowed it would let any site
 * call the API with a user's cookies or stored token.
 */
export function corsOrigins(value: string, nodeEnv: string): string[] {
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) return nodeEnv === 'development' ? [...DEVELOPMENT_ORIGINS] : [];
  if (entries.length === 1 && /^none$/i.test(entries[0]!)) return [];
  for (const entry of entries) {
    if (!ORIGIN.test(entry)) {
      throw new Error(`"${entry}" is not an origin (scheme://host[:port], e.g. https://cabinet.example.com)`);
    }
  }
  return entries.map((e) => e.toLowerCase());
}

/** The problem with a CORS_ORIGINS value, for config validation; undefined when it is fine. */
export function corsOriginsProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'not a string';
  try {
    corsOrigins(value, 'production');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export interface PlainCorsPolicy {
  origins: readonly string[];
  methods: readonly string[];
  allowedHeaders: readonly string[];
  exposedHeaders: readonly string[];
  maxAgeSeconds?: number;
}

/**
 * CORS for a plain node:http handler (the sessions runtime endpoint), with the gateway's
 * rules: a listed origin gets credentials and its preflight answered 204; any other origin
 * gets no Access-Control-* header and its preflight 403. Returns true when it answered the
 * request (a preflight), false when the handler goes on.
 */
export function plainCors(policy: PlainCorsPolicy): (req: IncomingMessage, res: ServerResponse) => boolean {
  const allowed = new Set(policy.origins);
  const methods = policy.methods.join(',');
  const headers = policy.allowedHeaders.join(',');
  const exposed = policy.exposedHeaders.join(',');
  const maxAge = String(policy.maxAgeSeconds ?? 600);
  return (req, res) => {
    const origin = req.headers.origin;
    const preflight = req.method === 'OPTIONS';
    res.setHeader('vary', 'Origin');
    if (origin && allowed.has(origin.toLowerCase())) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
      if (!preflight) {
        res.setHeader('access-control-expose-headers', exposed);
        return false;
      }
      res.setHeader('access-control-allow-methods', methods);
      res.setHeader('access-control-allow-headers', headers);
      res.setHeader('access-control-max-age', maxAge);
      res.writeHead(204, { 'content-length': '0' });
      res.end();
      return true;
    }
    if (!preflight) return false;
    res.writeHead(origin ? 403 : 204, { 'content-length': '0' });
    res.end();
    return true;
  };
}

/** class-validator constraint of a CORS_ORIGINS setting: `@Validate(CorsOriginList)`. */
@ValidatorConstraint({ name: 'corsOriginList' })
export class CorsOriginList implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return corsOriginsProblem(value) === undefined;
  }

  defaultMessage(args: ValidationArguments): string {
    return `must list origins: ${corsOriginsProblem(args.value) ?? ''}`;
  }
}
