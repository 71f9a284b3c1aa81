import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/**
 * A real HTTP receiver on loopback for webhooks: records every request and answers as
 * `answer` says (a status, after an optional delay). It can be reserved before it listens.
 */
export class HttpReceiver {
  readonly received: Received[] = [];
  /** How to answer a request: a status, after `after` settles (if given), then `delayMs`. */
  answer: (r: Received, index: number) => { status: number; delayMs?: number; after?: Promise<unknown> } = () => ({
    status: 200,
  });
  inFlight = 0;
  maxInFlight = 0;
  private server?: Server;

  private constructor(public port: number) {}

  static async reserve(): Promise<HttpReceiver> {
    const probe = createServer();
    const port = await new Promise<number>((resolve) =>
      probe.listen(0, '127.0.0.1', () => resolve((probe.address() as AddressInfo).port)),
    );
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return new HttpReceiver(port);
  }

  static async start(): Promise<HttpReceiver> {
    const r = await HttpReceiver.reserve();
    await r.listen();
    return r;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  async listen(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r: Received = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        const index = this.received.push(r) - 1;
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        const { status, delayMs, after } = this.answer(r, index);
        const respond = () =>
          setTimeout(() => {
            this.inFlight--;
            res.statusCode = status;
            res.end();
          }, delayMs ?? 0);
        if (after) void after.then(respond);
        else respond();
      });
    });
    server.keepAliveTimeout = 100;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The webhook-ids received, in order. */
  ids(): string[] {
    return this.received.map((r) => String(r.headers['webhook-id']));
  }
}
