// First: tracing (when configured) must load before what it instruments.
import './telemetry';
import 'reflect-metadata';
import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { validateEnv } from '@licensing/config';
import {
  accessLogMiddleware,
  exitGracefullyOnSignals,
  failBoot,
  logLevelsFor,
  useJsonLogger,
} from '@licensing/platform';
import { GatewayAppModule } from './app.module';
import { GatewayConfig, trustProxySetting } from './config';
import { json } from 'express';
import { bodyErrorHandler } from './body-errors';
import { requestIdMiddleware } from './request-context';
import { corsOptions, corsOrigins, refuseOtherPreflights } from './cors';

/** The gateway application, not yet listening (tests call `listen(0)`). */
export async function createGatewayApp(config: GatewayConfig): Promise<INestApplication> {
  // @apollo/gateway sends usage data to Apollo's servers unless this is set when it is
  // constructed; this platform reports to nobody (an explicit value is left as it is).
  process.env['APOLLO_TELEMETRY_DISABLED'] ??= 'true';
  const app = await NestFactory.create(GatewayAppModule.forRoot(config), {
    logger: logLevelsFor(config.LOG_LEVEL),
    bufferLogs: true,
    // Our own parser below, so a body that is too large or not JSON gets a coded answer.
    bodyParser: false,
  });
  useJsonLogger(app);
  // First, so every response, even to a malformed body, carries x-request-id.
  app.use(requestIdMiddleware);
  // Then the access line of every request (the id above names it), refused early or not.
  app.use(accessLogMiddleware());
  // Browsers on the listed origins (CORS_ORIGINS); other origins' preflights stop here.
  app.enableCors(corsOptions(corsOrigins(config.CORS_ORIGINS, config.NODE_ENV)));
  app.use(refuseOtherPreflights);
  app.use(json({ limit: config.MAX_BODY_BYTES }), bodyErrorHandler);
  // The real client address when a listed proxy sits in front (TRUST_PROXY); else the peer's.
  app.getHttpAdapter().getInstance().set('trust proxy', trustProxySetting(config.TRUST_PROXY));
  return app;
}

if (require.main === module) {
  (async () => {
    const config = validateEnv(GatewayConfig);
    const app = await createGatewayApp(config);
    // SIGTERM/SIGINT: app.close() drains HTTP and Apollo, then closes Redis
    // (onApplicationShutdown), and the process exits 0.
    exitGracefullyOnSignals(app, new Logger('gateway'));
    await app.listen(config.PORT, process.env['HOST'] ?? '0.0.0.0');
    new Logger('gateway').log(`listening on :${config.PORT} (/graphql, /health)`);
  })().catch((error: unknown) => failBoot('gateway', error));
}
