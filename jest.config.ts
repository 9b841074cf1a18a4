import type { Config } from 'jest'

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // Real-browser tests need Chromium: `npm run test:browser` runs them (jest.browser.config.ts).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/__tests__/browser/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    // jose 6 ships only ES modules; Jest runs CommonJS, so its files are transpiled.
    '^.+/node_modules/jose/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' }, isolatedModules: true },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  moduleNameMapper: {
    '^express-jwt-gate$': '<rootDir>/lib/index.ts',
    '^express-jwt-gate/client$': '<rootDir>/lib/client/index.ts',
    '^express-jwt-gate/testing$': '<rootDir>/lib/testing/index.ts',
  },
  // The executable only hands the real process to runCli; tests run it as a child process.
  collectCoverageFrom: ['lib/**/*.ts', '!lib/bin/**'],
  coverageThreshold: {
    global: { lines: 95, branches: 95, functions: 95, statements: 95 },
  },
}

export default config
