import { availableParallelism } from 'node:os'

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }]
  },
  testMatch: ['**/__tests__/**/*.test.ts'],
  // build/ holds the scripts' compiled copy (npm run demo, emulators, bench), package.json included.
  modulePathIgnorePatterns: ['<rootDir>/build/'],
  // Jest's default is one worker less than the cores: a single worker on a 2-core machine, every file
  // one after the other. Half again as many workers as cores: much of a test's time is waiting on a
  // timeout or a paced request, which another worker's file fills (measured on this 2-core machine,
  // same run: 2 workers 26.4 s, 3 workers 23.2–23.8 s, 4 workers 28.6 s).
  // (A percentage above 100 is read by Jest as a number of workers, hence the count.)
  maxWorkers: Math.max(2, Math.round(availableParallelism() * 1.5)),
  testTimeout: 30000
}
