import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { DynamicModule, INestApplication, Logger, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { printSubgraphSchema } from '@apollo/subgraph';
import { ServiceConfig } from '@licensing/config';
import { shutdownTelemetry } from '@licensing/telemetry';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { accessLogMiddleware } from './logging';

const LEVELS: Record<string, LogLevel[]> = {
  debug: ['debug', 'log', 'warn', 'error', 'fatal'],
  log: ['log', 'warn', 'error', 'fatal'],
  warn: ['warn', 'error', 'fatal'],
  error: ['error', 'fatal'],
};

/** Nest's log levels for a service's LOG_LEVEL setting. */
export function logLevelsFor(level: string): LogLevel[] {
  return LEVELS[level] ?? LEVELS['log']!;
}

/** Creates the Nest application of a subgraph without listening (tests call listen(0)). */
export async function createSubgraphApp(module: DynamicModule, config: ServiceConfig): Promise<INestApplication> {
  const app = await NestFactory.create(module, { logger: logLevelsFor(config.LOG_LEVEL), bufferLogs: true });
  useJsonLogger(app);
  // First of all middleware: every request, even one refused early, gets its access line.
  app.use(accessLogMiddleware());
  return app;
}

/**
 * Nest's logging (every `new Logger(context)`, the boot lines included) goes through the
 * pino logger of loggerModule from here on: one JSON line per event.
 */
export function useJsonLogger(app: INestApplication): void {
  app.useLogger(app.get(PinoNestLogger));
  app.flushLogs();
}

/**
 * SIGTERM/SIGINT close the app (in-flight requests finish, the outbox relay finishes its
 * batch, consumers leave their group, connections close) and exit 0; a second signal or
 * a stuck shutdown past `graceMs` exits at once.
 */
export function exitGracefullyOnSignals(app: INestApplication, logger: Logger, graceMs = 20_000): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) process.exit(1);
    closing = true;
    logger.log(`${signal}: shutting down`);
    setTimeout(() => {
      logger.error(`shutdown took longer than ${graceMs} ms; exiting`);
      process.exit(1);
    }, graceMs).unref();
    app
      .close()
      .then(async () => {
        logger.log('stopped');
        // The last spans go out before the process ends.
        await shutdownTelemetry();
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error(`shutdown failed: ${String(error)}`);
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

/** The subgraph SDL exactly as the committed `schema.graphql` holds it. */
export function printServiceSchema(app: INestApplication): string {
  const { schema } = app.get(GraphQLSchemaHost);
  return `${printSubgraphSchema(schema).trim()}\n`;
}

/**
 * Starts a subgraph service: validated config, Nest app, HTTP listener, graceful SIGTERM.
 * With WRITE_SCHEMA_TO set it writes the generated SDL there and exits instead of serving.
 */
export async function runSubgraph(
  name: string,
  module: (config: ServiceConfig) => DynamicModule,
  config: ServiceConfig,
): Promise<void> {
  const logger = new Logger(name);
  const app = await createSubgraphApp(module(config), config);
  const schemaTarget = process.env['WRITE_SCHEMA_TO'];
  if (schemaTarget) {
    await app.init();
    writeFileSync(schemaTarget, printServiceSchema(app));
    await app.close();
    logger.log(`wrote ${schemaTarget}`);
    return;
  }
  exitGracefullyOnSignals(app, logger);
  await app.listen(config.PORT, process.env['HOST'] ?? '0.0.0.0');
  logger.log(`${name} subgraph listening on :${config.PORT}`);
}
