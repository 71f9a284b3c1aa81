import * as http from 'node:http';
import * as https from 'node:https';
import { errorFromAnswer, LicensingError, SdkErrorCode } from './errors';

export interface TransportOptions {
  /** Base URL of the runtime endpoint, e.g. http://127.0.0.1:4003 (the sessions service). */
  url: string;
  /** Per-request timeout; a request that takes longer is a network error. Default 10 s. */
  timeoutMs?: number;
  /** Sockets kept open to the endpoint (keep-alive). Default 8. */
  maxSockets?: number;
}

/**
 * JSON over node:http(s) with one keep-alive agent per client. Idle sockets do not keep the
 * process alive (Node unrefs a keep-alive agent's free sockets).
 */
export class Transport {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  private readonly timeoutMs: number;
  /** Requests sent, by path (for diagnostics and tests). */
  readonly sent = new Map<string, number>();

  constructor(options: TransportOptions) {
    this.base = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`);
    const secure = this.base.protocol === 'https:';
    if (!secure && this.base.protocol !== 'http:') throw new TypeError(`url must be http(s): ${options.url}`);
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 8 };
    this.agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.request = secure ? https.request : http.request;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('POST', path, JSON.stringify(body));
  }

  get<T>(path: string): Promise<T> {
    return this.send<T>('GET', path);
  }

  /** Closes idle sockets. */
  close(): void {
    this.agent.destroy();
  }

  private send<T>(method: string, path: string, body?: string): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    this.sent.set(url.pathname, (this.sent.get(url.pathname) ?? 0) + 1);
    return new Promise<T>((resolve, reject) => {
      const headers: Record<string, string | number> = { accept: 'application/json' };
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(body);
      }
      const req = this.request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(networkError(e)));
        res.on('end', () => {
          clearTimeout(timer);
          const status = res.statusCode ?? 0;
          let parsed: unknown;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            return reject(
              new LicensingError(SdkErrorCode.BAD_RESPONSE, `${method} ${url.pathname} answered ${status}, not JSON`, {
                status,
                retriable: status >= 500 || status === 0,
              }),
            );
          }
          if (status === 200) return resolve(parsed as T);
          const error = errorFromAnswer(status, parsed);
          if (status === 429 && error.retryAfterSeconds === undefined) {
            const header = Number(res.headers['retry-after']);
            if (Number.isFinite(header)) (error as { retryAfterSeconds?: number }).retryAfterSeconds = header;
          }
          reject(error);
        });
      });
      const timer = setTimeout(() => req.destroy(new Error(`timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
      timer.unref();
      req.on('error', (e) => {
        clearTimeout(timer);
        reject(networkError(e));
      });
      req.end(body);
    });
  }
}

function networkError(cause: Error): LicensingError {
  return new LicensingError(SdkErrorCode.NETWORK_ERROR, `The licensing endpoint is unreachable: ${cause.message}`, {
    retriable: true,
    cause,
  });
}
