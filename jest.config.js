/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }]
  },
  testMatch: ['**/__tests__/**/*.test.ts'],
  // Jest's default is one worker less than the cores: a single worker on a 2-core machine, every file
  // one after the other. One worker per core; the fault matrix's files keep a pool of runs each.
  maxWorkers: '100%',
  testTimeout: 30000
}
