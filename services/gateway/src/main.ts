import 'reflect-metadata';
import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { validateEnv } from '@licensing/config';
import { exitGracefullyOnSignals, logLevelsFor } from '@licensing/platform';
import { GatewayAppModule } from './app.module';
import { GatewayConfig } from './config';


export async function createGatewayApp(config: GatewayConfig): Promise<INestApplication> {
  const app = await NestFactory.create(GatewayAppModule.forRoot(config), {
    logger: logLevelsFor(config.LOG_LEVEL),
  });
  // The real client address when a load balancer sits in front (first hop only).
  app.getHttpAdapter().getInstance().set('trust proxy', 'loopback, linklocal, uniquelocal');
  return app;
}

if (require.main === module) {
  (async () => {
    const config = validateEnv(GatewayConfig);
    const app = await createGatewayApp(config);
    exitGracefullyOnSignals(app, new Logger('gateway'));
    await app.listen(config.PORT, process.env['HOST'] ?? '0.0.0.0');
    console.log(`gateway listening on http://127.0.0.1:${config.PORT}/graphql`);
  })().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
