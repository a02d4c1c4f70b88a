// ESM throughout: NestJS 12 ships only ES modules, so Jest runs with --experimental-vm-modules
// (set in the npm scripts) and ts-jest emits ESM.
const esmTypeScript = ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }];
// Node 20.19+ lets CommonJS require() an ES module, Jest's module loader does not: the ESM-only packages
// that CommonJS dependencies require (@fastify/static → content-disposition) are compiled to CommonJS.
const REQUIRED_ESM_PACKAGES = ['content-disposition'];
const commonJsFromEsm = [
  'ts-jest',
  { useESM: false, diagnostics: false, tsconfig: { allowJs: true, module: 'commonjs', moduleResolution: 'node10', isolatedModules: true } },
];
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    [`node_modules/(${REQUIRED_ESM_PACKAGES.join('|')})/.+\\.js$`]: commonJsFromEsm,
    '^.+\\.ts$': esmTypeScript,
  },
  transformIgnorePatterns: [`/node_modules/(?!(${REQUIRED_ESM_PACKAGES.join('|')})/)`],
  testEnvironment: 'node',
};

export default {
  projects: [
    { ...shared, displayName: 'unit', rootDir: '.', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/console/src/**/*.spec.ts'] },
    { ...shared, displayName: 'e2e', rootDir: '.', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
  testTimeout: 30000,
  // Jest's own summary, then one plain "N passed, N failed" line that any CI can read.
  reporters: ['default', '<rootDir>/test/support/plain-summary-reporter.js'],
};
