import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { composeSupergraphFile } from './compose-supergraph';

/**
 * Regenerates every committed GraphQL artefact: each subgraph's schema.graphql (the
 * service boots against the local infrastructure with WRITE_SCHEMA_TO set) and then the
 * supergraph composed from them. Run `npm run generate` after changing a resolver.
 */
const root = process.cwd();
const services = ['keys', 'coupons', 'sessions', 'notifications'];
const secret = 'schema-generation-only-secret-0123456789abcdef';

for (const service of services) {
  const result = spawnSync(
    process.execPath,
    ['-r', './scripts/runtime-paths.js', `dist/services/${service}/src/main.js`],
    {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        WRITE_SCHEMA_TO: join(root, 'services', service, 'schema.graphql'),
        IDENTITY_SIGNING_SECRET: secret,
        ACCESS_TOKEN_SECRET: secret,
        LOG_LEVEL: 'warn',
      },
    },
  );
  if (result.status !== 0) {
    console.error(`schema generation failed for ${service}`);
    process.exit(result.status ?? 1);
  }
}
composeSupergraphFile(root);
console.log('wrote services/*/schema.graphql, services/gateway/supergraph.graphql and api-schema.graphql');
