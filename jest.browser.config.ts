import type { Config } from 'jest'

// `npm run test:browser`: the suites that drive a real Chromium. Kept out of `npm test`,
// which must run where no browser is installed. Build first: pages load dist/.
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__/browser'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  moduleNameMapper: {
    '^express-jwt-gate$': '<rootDir>/lib/index.ts',
    '^express-jwt-gate/client$': '<rootDir>/lib/client/index.ts',
  },
  // One browser at a time on a two-core machine; bounded, so a hang fails instead of stalling CI.
  maxWorkers: 1,
  testTimeout: 30_000,
}

export default config
