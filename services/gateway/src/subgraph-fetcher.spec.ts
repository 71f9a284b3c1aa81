import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { subgraphFetcher } from './subgraph-fetcher';

interface Seen {
  method?: string;
  headers: IncomingMessage['headers'];
  body: string;
  remotePort?: number;
}

describe('subgraphFetcher', () => {
  let server: Server;
  let url: string;
  const seen: Seen[] = [];
  let reply: (res: import('node:http').ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({
          method: req.method,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          remotePort: req.socket.remotePort,
        });
        reply(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen.length = 0;
    reply = (res) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('RateLimit-Remaining', '0');
      res.end(JSON.stringify({ data: { ok: 'ünïcode' } }));
    };
  });

  it('sends the method, headers and body, and reads status, headers and JSON', async () => {
    const fetcher = subgraphFetcher();
    const body = JSON.stringify({ query: '{ ok }' });
    const response = await fetcher(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-licensing-identity': 'signed' },
      body,
    });
    expect(seen[0]).toMatchObject({ method: 'POST', body });
    expect(seen[0]!.headers).toMatchObject({
      'content-type': 'application/json',
      'x-licensing-identity': 'signed',
      'content-length': String(Buffer.byteLength(body)),
    });
    expect(response).toMatchObject({ ok: true, status: 200, url });
    expect(response.headers.get('Content-Type')).toBe('application/json');
    expect(response.headers.get('ratelimit-remaining')).toBe('0');
    expect(response.headers.get('retry-after')).toBeNull();
    expect(await response.json()).toEqual({ data: { ok: 'ünïcode' } });
    expect(response.bodyUsed).toBe(true);
  });

  it('keeps the connection open between requests to the same subgraph', async () => {
    const fetcher = subgraphFetcher();
    for (let i = 0; i < 3; i++) await (await fetcher(url, { method: 'POST', body: '{}' })).text();
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((s) => s.remotePort)).size).toBe(1);
  });

  it('lets an idle connection go a second before the subgraph would close it (no "socket hang up")', async () => {
    const before = server.keepAliveTimeout;
    server.keepAliveTimeout = 3_000; // announced as `Keep-Alive: timeout=3`
    try {
      const fetcher = subgraphFetcher();
      await (await fetcher(url, { method: 'POST', body: '{}' })).text();
      await (await fetcher(url, { method: 'POST', body: '{}' })).text();
      // Past the announced timeout less a second, before the subgraph's own: a new connection.
      await new Promise((r) => setTimeout(r, 2_500));
      await (await fetcher(url, { method: 'POST', body: '{}' })).text();
      expect(seen.map((s) => s.remotePort)).toEqual([seen[0]!.remotePort, seen[0]!.remotePort, expect.any(Number)]);
      expect(seen[2]!.remotePort).not.toBe(seen[0]!.remotePort);
    } finally {
      server.keepAliveTimeout = before;
    }
  });

  it('answers a non-2xx status as a response that is not ok, with its body', async () => {
    reply = (res) => {
      res.statusCode = 401;
      res.setHeader('content-type', 'application/json');
      res.end('{"errors":[{"message":"Requests must come through the gateway"}]}');
    };
    const response = await subgraphFetcher()(url, { method: 'POST', body: '{}' });
    expect(response).toMatchObject({ ok: false, status: 401, statusText: 'Unauthorized' });
    expect(await response.text()).toContain('come through the gateway');
  });

  it('rejects when the subgraph cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(subgraphFetcher()(`http://127.0.0.1:${port}/graphql`, { method: 'POST', body: '{}' })).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });

  it('rejects when the subgraph drops the connection mid-answer', async () => {
    reply = (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"data":');
      setTimeout(() => res.socket?.destroy(), 10);
    };
    await expect(subgraphFetcher()(url, { method: 'POST', body: '{}' })).rejects.toThrow();
  });

  it('refuses a URL that is not http(s)', async () => {
    await expect(subgraphFetcher()('file:///etc/passwd')).rejects.toThrow(/not http\(s\)/);
  });
});
