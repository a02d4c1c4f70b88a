import vm from 'node:vm';

// ESM throughout: NestJS 12 ships only ES modules, so Jest runs with --experimental-vm-modules
// (set in the npm scripts) and ts-jest emits ESM.
const esmTypeScript = ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }];
// @fastify/static (CommonJS) require()s content-disposition, which ships only as an ES module. Jest's module
// loader require()s an ES module itself where Node gives it synchronous module evaluation (Node 24.9+, the
// line the suite runs on; Jest tests for `hasAsyncGraph`, as here). On older Node (20, where the service must
// still start) it cannot, so there, and only there, that package is compiled to CommonJS: applied on Node 24,
// the same transform hands Jest's ESM loader CommonJS code ("exports is not defined").
const JEST_REQUIRES_ESM = typeof vm.SourceTextModule?.prototype.hasAsyncGraph === 'function';
const REQUIRED_ESM_PACKAGES = JEST_REQUIRES_ESM ? [] : ['content-disposition'];
const commonJsFromEsm = [
  'ts-jest',
  { useESM: false, diagnostics: false, tsconfig: { allowJs: true, module: 'commonjs', moduleResolution: 'node10', isolatedModules: true } },
];
const requiredEsmTransform = REQUIRED_ESM_PACKAGES.length
  ? { [`node_modules/(${REQUIRED_ESM_PACKAGES.join('|')})/.+\\.js$`]: commonJsFromEsm }
  : {};
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { ...requiredEsmTransform, '^.+\\.ts$': esmTypeScript },
  transformIgnorePatterns: REQUIRED_ESM_PACKAGES.length ? [`/node_modules/(?!(${REQUIRED_ESM_PACKAGES.join('|')})/)`] : ['/node_modules/'],
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
