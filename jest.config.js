// One Jest configuration for the whole workspace. Test tiers are told apart by file suffix:
//   *.spec.ts      unit tests of pure logic (no I/O)
//   *.int-spec.ts  integration tests against the real Postgres, Redis and Kafka
//   *.e2e-spec.ts  end-to-end tests through the gateway with the contract's operations
// `JEST_TIER=unit|int|e2e` narrows a run to one tier.
const { compilerOptions } = require('./tsconfig.base.json');

const suffix = { unit: 'spec', int: 'int-spec', e2e: 'e2e-spec' }[process.env.JEST_TIER ?? ''];
const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias.replace('/', '\\/')}$`,
    `<rootDir>/${target}`,
  ]),
);

/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/packages', '<rootDir>/services', '<rootDir>/deploy', '<rootDir>/test'],
  testMatch: suffix ? [`**/*.${suffix}.ts`] : ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
    // jose ships ES modules only (Node loads them with require(); Jest's runtime cannot): compiled to CommonJS here.
    '/node_modules/jose/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, isolatedModules: true, module: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  setupFiles: ['reflect-metadata'],
  globalSetup: '<rootDir>/test/support/global-setup.js',
  testTimeout: 60_000,
  // Integration suites use their own databases and topic prefixes, so files run in parallel.
  maxWorkers: 2,
  forceExit: false,
};
