import { Client, ClientConfig } from 'pg';
import { DataSource } from 'typeorm';
import { MessagingLogger } from './settings';

/** A pg client configuration for the same database a TypeORM data source uses. */
export function pgClientConfig(dataSource: DataSource, applicationName: string): ClientConfig {
  const o = dataSource.options as {
    url?: string;
    host?: string;
    port?: number;
    username?: string;
    password?: string | (() => string | Promise<string>);
    database?: string;
    ssl?: ClientConfig['ssl'];
  };
  const config: ClientConfig = { application_name: applicationName, keepAlive: true };
  if (o.url) config.connectionString = o.url;
  if (o.host) config.host = o.host;
  if (o.port) config.port = o.port;
  if (o.username) config.user = o.username;
  if (o.password) config.password = o.password as ClientConfig['password'];
  if (o.database) config.database = o.database;
  if (o.ssl) config.ssl = o.ssl;
  return config;
}

/**
 * A dedicated connection that LISTENs on one channel and calls `onNotify` for each
 * notification; it reconnects by itself after losing the connection. Polling covers the
 * gaps, so a lost notification only costs latency.
 */
export class PgListener {
  private client?: Client;
  private active = false;
  private retryTimer?: NodeJS.Timeout;

  constructor(
    private readonly config: ClientConfig,
    private readonly channel: string,
    private readonly onNotify: () => void,
    private readonly logger: MessagingLogger,
  ) {}

  get listening(): boolean {
    return this.client !== undefined;
  }

  async start(): Promise<void> {
    if (this.active) return;
    this.active = true;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.active = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client(this.config);
    let lost = false;
    const onLost = (reason: string) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      void client.end().catch(() => undefined);
      if (!this.active) return;
      this.logger.warn(`${this.channel} listener lost (${reason}); polling until it is back`);
      this.scheduleReconnect();
    };
    client.on('notification', () => this.onNotify());
    client.on('error', (error) => onLost(error.message));
    client.on('end', () => onLost('connection ended'));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
      if (!this.active) {
        lost = true;
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      // Something may have been committed while nobody listened.
      this.onNotify();
    } catch (error) {
      onLost(error instanceof Error ? error.message : String(error));
    }
  }

  private scheduleReconnect(): void {
    if (this.retryTimer || !this.active) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.active) void this.connect();
    }, 1_000);
    this.retryTimer.unref();
  }
}
