// Shared jest settings for the Node workspaces (the Grafana plugin keeps create-plugin's own .config/jest).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/src/**/*.test.ts'],
  // a build (tsc to dist/, e.g. by the exporter's benchmark) is not part of the tests
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  testTimeout: 60000,
};
