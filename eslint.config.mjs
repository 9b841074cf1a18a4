import { builtinModules } from 'node:module'
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

/**
 * The layers of lib/, bottom first. A layer imports only the layers below it; the
 * rules below say so to the linter, so that a wrong import fails `npm run lint`
 * instead of waiting for a reviewer to notice. See CONTRIBUTING.md.
 */
const ROOT_MODULES = ['sign', 'verify', 'decode']
const above = {
  core: ['keys', ...ROOT_MODULES, 'express', 'sessions', 'testing', 'client', 'cli'],
  keys: [...ROOT_MODULES, 'express', 'sessions', 'testing', 'client', 'cli'],
  root: ['express', 'sessions', 'testing', 'client', 'cli'],
  express: ['sessions', 'testing', 'client', 'cli'],
  sessions: ['testing', 'client', 'cli'],
  // Test helpers sign and verify with the root modules; they never need Express.
  testing: ['express', 'sessions', 'client', 'cli'],
  cli: ['express', 'sessions', 'testing', 'client'],
}

/** A relative import that reaches one of `names` (or the barrel, or bin/) from a layer's folder. */
const intoLayers = (layer, names) => ({
  regex: `^(\\.\\.?/)+(${[...names, 'index', 'bin'].join('|')})(/|$)`,
  message: `lib/${layer} may not import from ${names.join(', ')}, the barrel or bin: a layer imports only the layers below it (CONTRIBUTING.md).`,
})

const expressOnlyInItsLayer = {
  name: 'express',
  message:
    'Only lib/express/ and lib/sessions/express/ name express: the rest of the package works without it.',
}

/** `no-restricted-imports` for one layer: the layers above it, and express unless allowed. */
const layerRule = (layer, { express = false } = {}) => [
  'error',
  {
    paths: express ? [] : [expressOnlyInItsLayer],
    patterns: [
      intoLayers(layer, above[layer]),
      ...(express ? [] : [{ group: ['express/*'], message: expressOnlyInItsLayer.message }]),
    ],
  },
]

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', '.bench/', '.cache/', 'docs/api/'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  { files: ['lib/core/**/*.ts'], rules: { 'no-restricted-imports': layerRule('core') } },
  { files: ['lib/keys/**/*.ts'], rules: { 'no-restricted-imports': layerRule('keys') } },
  {
    files: ROOT_MODULES.map((name) => `lib/${name}.ts`),
    rules: { 'no-restricted-imports': layerRule('root') },
  },
  {
    files: ['lib/express/**/*.ts'],
    rules: { 'no-restricted-imports': layerRule('express', { express: true }) },
  },
  { files: ['lib/sessions/**/*.ts'], rules: { 'no-restricted-imports': layerRule('sessions') } },
  {
    files: ['lib/sessions/express/**/*.ts'],
    rules: { 'no-restricted-imports': layerRule('sessions', { express: true }) },
  },
  { files: ['lib/testing/**/*.ts'], rules: { 'no-restricted-imports': layerRule('testing') } },
  { files: ['lib/cli/**/*.ts'], rules: { 'no-restricted-imports': layerRule('cli') } },
  {
    // Browser-safe: nothing from the rest of the package (it would bring Node in), and
    // nothing of Node's own.
    files: ['lib/client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: builtinModules.map((name) => ({
            name,
            message: 'lib/client runs in browsers: no Node modules.',
          })),
          patterns: [
            {
              regex: '^node:',
              message: 'lib/client runs in browsers: no Node modules.',
            },
            {
              regex: '^\\.\\./',
              message:
                'lib/client stands alone: importing the rest of the package would bring Node in.',
            },
            { regex: '^[^.]', message: 'lib/client has no dependencies.' },
          ],
        },
      ],
      // lib/client/tsconfig.json also type-checks it without Node's types.
      'no-restricted-globals': ['error', 'Buffer', 'process', 'require', 'global', '__dirname'],
    },
  },
  {
    // supertest types every response body as `any`; tests assert on its shape instead.
    files: ['__tests__/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
)
