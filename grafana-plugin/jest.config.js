// Extends the create-plugin jest config (.config/jest.config.js). The query test under test/ needs
// real servers and a node environment; it is its own project so that both run in one `jest` call.
const scaffolded = require('./.config/jest.config');

// Hoisted ESM-only dependencies (d3-*, in the workspace root's node_modules) ship .mjs files: transform
// those too, with the scaffolded swc options.
const [swcPattern, swcTransformer] = Object.entries(scaffolded.transform)[0];
// The Playwright specs (tests/, playwright.config.ts) need a running Grafana and run with `npm run e2e`,
// never under jest: neither project's testMatch covers tests/, and the ignore pattern keeps it that way.
const base = {
  ...scaffolded,
  transform: { [swcPattern]: swcTransformer, '^.+\\.mjs$': swcTransformer },
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/', '<rootDir>/dist/'],
};

module.exports = {
  testTimeout: 60000,
  projects: [
    { ...base, displayName: 'plugin' },
    {
      ...base,
      displayName: 'queries',
      testEnvironment: 'node',
      setupFiles: ['<rootDir>/test/grafana/browserGlobals.js'],
      setupFilesAfterEnv: [],
      testMatch: ['<rootDir>/test/**/*.test.ts'],
    },
  ],
};
