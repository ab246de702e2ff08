// Shared jest settings for the Node workspaces (the Grafana plugin keeps create-plugin's own .config/jest).
const os = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/src/**/*.test.ts'],
  // a build (tsc to dist/, e.g. by the exporter's benchmark) is not part of the tests
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  testTimeout: 60000,
  // Most test files wait on servers they start (MariaDB, Prometheus, Alertmanager, Chromium): two at a
  // time at least. Jest's default (cores − 1) runs them one by one on a 2-core machine such as CI's
  // (alerting 422 → 278 s, exporter 170 → 90 s there).
  maxWorkers: Math.max(2, os.cpus().length - 1),
};
