import { Agent, request as httpRequest, IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';

/** The fetch function a data source takes (@apollo/utils.fetcher's, through the gateway's types). */
export type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetcherRequestInit = NonNullable<Parameters<Fetcher>[1]>;
type FetcherResponse = Awaited<ReturnType<Fetcher>>;
type FetcherHeaders = FetcherResponse['headers'];

/** The response headers as the data source reads them (`get`, case-insensitive). */
class ResponseHeaders implements FetcherHeaders {
  private readonly map = new Map<string, string>();

  constructor(raw: IncomingMessage['headers']) {
    for (const [name, value] of Object.entries(raw)) {
      if (value !== undefined) this.map.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
  }
  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const old = this.map.get(key);
    this.map.set(key, old === undefined ? value : `${old}, ${value}`);
  }
  delete(name: string): void {
    this.map.delete(name.toLowerCase());
  }
  get(name: string): string | null {
    return this.map.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }
  set(name: string, value: string): void {
    this.map.set(name.toLowerCase(), value);
  }
  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }
  keys(): IterableIterator<string> {
    return this.map.keys();
  }
  values(): IterableIterator<string> {
    return this.map.values();
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.map.entries();
  }
}

/** A whole response, already read: the data source reads its body once, as JSON or text. */
class BufferedResponse implements FetcherResponse {
  bodyUsed = false;
  readonly redirected = false;
  readonly ok: boolean;

  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    readonly headers: ResponseHeaders,
    private readonly body: Buffer,
  ) {
    this.ok = status >= 200 && status < 300;
  }
  async text(): Promise<string> {
    this.bodyUsed = true;
    return this.body.toString('utf8');
  }
  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    this.bodyUsed = true;
    const copy = new Uint8Array(this.body.byteLength);
    copy.set(this.body);
    return copy.buffer;
  }
  clone(): FetcherResponse {
    return new BufferedResponse(this.url, this.status, this.statusText, this.headers, this.body);
  }
}

/**
 * The gateway's HTTP client for its subgraphs: node's own http over keep-alive sockets, one
 * pool per subgraph. It replaces @apollo/gateway's default (make-fetch-happen), whose cache
 * and stream layers cost more per request than the subgraph itself spends on a small query.
 * No redirects are followed and no compression is asked for: a subgraph is a known service
 * on the internal network that answers JSON.
 */
export function subgraphFetcher(maxFreeSockets = 64): Fetcher {
  // Idle sockets in the pool are unref'd by node, so they never hold a stopping process open.
  // `timeout` matters for idle sockets too: only with one set does node's agent honour the
  // subgraph's `Keep-Alive: timeout=5` and drop an idle socket a second before the subgraph
  // closes it. Without it the pool reuses a socket the subgraph is closing at that moment,
  // and the request fails with "socket hang up" (seen under load in the fuzz suite).
  const agentOptions = { keepAlive: true, maxFreeSockets, scheduling: 'lifo' as const, timeout: 60_000 };
  const http = new Agent(agentOptions);
  const https = new HttpsAgent(agentOptions);
  return (url: string, init: FetcherRequestInit = {}): Promise<FetcherResponse> =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      if (!secure && target.protocol !== 'http:') {
        reject(new Error(`Subgraph URL ${url} is not http(s)`));
        return;
      }
      const body = init.body === undefined ? undefined : Buffer.from(init.body);
      const headers: Record<string, string | number> = { ...init.headers };
      if (body) headers['content-length'] = body.byteLength;
      const req = (secure ? httpsRequest : httpRequest)(
        target,
        { method: init.method ?? 'GET', headers, agent: secure ? https : http },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          // A connection closed before the whole body arrived (a 'close' without 'end').
          res.once('close', () => {
            if (!res.complete) reject(new Error(`Subgraph ${url} closed the connection mid-answer`));
          });
          res.once('end', () =>
            resolve(
              new BufferedResponse(
                url,
                res.statusCode ?? 0,
                res.statusMessage ?? '',
                new ResponseHeaders(res.headers),
                chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
              ),
            ),
          );
        },
      );
      // The log line of a failed subgraph call names the subgraph (the error keeps its code).
      req.on('error', (error: NodeJS.ErrnoException) =>
        reject(
          Object.assign(new Error(`request to ${url} failed: ${error.message}`, { cause: error }), {
            code: error.code,
          }),
        ),
      );
      req.end(body);
    });
}
