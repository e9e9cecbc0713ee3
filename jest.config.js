/** Three tiers in one run: unit specs beside the code, service and e2e tests in test/. */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  globalSetup: '<rootDir>/test/support/setup.cjs',
  globalTeardown: '<rootDir>/test/support/teardown.cjs',
  testTimeout: 60000,
  // NestJS keeps GraphQL type metadata in module singletons that jest's ESM registry does not fully
  // reset between files; a fresh worker per test file keeps every file's app independent.
  maxWorkers: 2,
  workerIdleMemoryLimit: '1MB',
};
