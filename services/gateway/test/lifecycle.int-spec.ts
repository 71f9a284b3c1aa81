import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { composeTestSupergraph, REDIS_URL } from './support';

const ROOT = join(__dirname, '..', '..', '..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The built gateway (`npm run build`, which the test tiers' global setup runs) as its own process. */
function spawnGateway(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['-r', './scripts/runtime-paths.js', 'dist/services/gateway/src/main.js'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe('gateway process', () => {
  const secrets = {
    OPERATOR_TOKEN: `op_${randomBytes(24).toString('hex')}`,
    IDENTITY_SIGNING_SECRET: randomBytes(32).toString('hex'),
    ACCESS_TOKEN_SECRET: randomBytes(32).toString('hex'),
  };

  it('refuses to boot naming the bad variables', async () => {
    const proc = spawnGateway({ OPERATOR_TOKEN: 'short', MAX_QUERY_DEPTH: 'deep' });
    expect(await exitCode(proc.child)).toBe(1);
    for (const name of ['OPERATOR_TOKEN', 'IDENTITY_SIGNING_SECRET', 'ACCESS_TOKEN_SECRET', 'MAX_QUERY_DEPTH']) {
      expect(proc.output()).toContain(name);
    }
  });

  it('refuses to boot without its supergraph, naming the path', async () => {
    const proc = spawnGateway({
      ...secrets,
      PORT: String(await freePort()),
      SUPERGRAPH_PATH: '/nonexistent/supergraph.graphql',
    });
    expect(await exitCode(proc.child)).toBe(1);
    expect(proc.output()).toContain('SUPERGRAPH_PATH /nonexistent/supergraph.graphql does not exist');
  });

  it('reports ready, then stops cleanly on SIGTERM with exit code 0', async () => {
    const supergraph = composeTestSupergraph();
    const port = await freePort();
    const proc = spawnGateway({
      ...secrets,
      PORT: String(port),
      REDIS_URL,
      SUPERGRAPH_PATH: supergraph.path,
      LOG_LEVEL: 'log',
    });
    try {
      const deadline = Date.now() + 30_000;
      let health: Response | undefined;
      while (!health || health.status !== 200) {
        if (proc.child.exitCode !== null || Date.now() > deadline)
          throw new Error(`gateway did not get ready:\n${proc.output()}`);
        health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
        if (!health) await new Promise((r) => setTimeout(r, 200));
      }
      expect(await health.json()).toMatchObject({
        status: 'ok',
        checks: { supergraph: { status: 'up' }, redis: { status: 'up' } },
      });
      const started = Date.now();
      proc.child.kill('SIGTERM');
      expect(await exitCode(proc.child)).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(proc.output()).toMatch(/SIGTERM: shutting down[\s\S]*stopped/);
      expect(proc.output()).not.toContain(secrets.OPERATOR_TOKEN);
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
      supergraph.remove();
    }
  });
});
