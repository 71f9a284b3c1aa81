import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, LookupFunction } from 'node:net';
import { refusalOf } from './address-guard';

export interface WebhookResponse {
  statusCode?: number;
  durationMs: number;
  error?: string;
}

/** Resolves a host to all its addresses; refuses when any is forbidden. */
export async function resolveAllowed(host: string, allowLoopback: boolean): Promise<LookupAddress[]> {
  const bare = host.replace(/^\[|\]$/g, '');
  const addresses: LookupAddress[] = isIP(bare)
    ? [{ address: bare, family: isIP(bare) }]
    : await new Promise((resolve, reject) =>
        dnsLookup(bare, { all: true }, (error, found) => (error ? reject(error) : resolve(found))),
      );
  if (!addresses.length) throw new Error(`${host} does not resolve`);
  for (const a of addresses) {
    const refusal = refusalOf(a.address, allowLoopback);
    if (refusal) throw new Error(refusal);
  }
  return addresses;
}

/** Why a URL may not receive webhooks (undefined: it may); resolves its host. */
export async function urlRefusal(raw: string, allowLoopback: boolean): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'url must be an absolute http(s) URL';
  }
  if (url.protocol !== 'https:' && !(allowLoopback && url.protocol === 'http:'))
    return allowLoopback ? 'url must be http or https' : 'url must be https';
  if (url.username || url.password) return 'url must not carry a user name or password';
  try {
    await resolveAllowed(url.hostname, allowLoopback);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return /is a .* address$/.test(message)
      ? `url resolves to a forbidden address: ${message}`
      : `url's host does not resolve`;
  }
  return undefined;
}

/**
 * POSTs one webhook. The connection goes only to addresses checked here (the lookup the socket
 * uses is ours), redirects are not followed, and the whole exchange is limited to timeoutMs.
 */
export function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { timeoutMs: number; allowLoopback: boolean },
): Promise<WebhookResponse> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const lookup: LookupFunction = (hostname, opts, callback) => {
    resolveAllowed(hostname, options.allowLoopback).then(
      (addresses) => {
        if ((opts as { all?: boolean }).all) (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: Error) => callback(error, '', 0),
    );
  };
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ durationMs: 0, error: 'invalid URL' });
      return;
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const bare = target.hostname.replace(/^\[|\]$/g, '');
    // A literal address skips the lookup: check it here.
    const literalRefusal = isIP(bare) ? refusalOf(bare, options.allowLoopback) : undefined;
    if (literalRefusal || (target.protocol === 'http:' && !options.allowLoopback)) {
      resolve({ durationMs: 0, error: literalRefusal ?? 'url must be https' });
      return;
    }
    const req = send(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
        lookup,
        timeout: options.timeoutMs,
      },
      (res) => {
        res.resume(); // the answer's body is not kept
        res.on('end', () => resolve({ statusCode: res.statusCode, durationMs: elapsed() }));
        res.on('error', (error) =>
          resolve({ statusCode: res.statusCode, durationMs: elapsed(), error: error.message }),
        );
      },
    );
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', (error) => resolve({ durationMs: elapsed(), error: error.message.slice(0, 500) }));
    req.on('close', () => clearTimeout(timer));
    req.end(body);
  });
}
