import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as api from 'express-jwt-gate'
import * as testing from 'express-jwt-gate/testing'
import { GUARD_OPTION_NAMES } from '../lib/express/guard'
import { MIDDLEWARE_OPTION_NAMES } from '../lib/express/middleware'
import { SIGN_OPTION_NAMES } from '../lib/core/sign-options'

const root = join(__dirname, '..')
const readme = readFileSync(join(root, 'README.md'), 'utf8')

/** Lines without indentation or blank lines, so an excerpt matches its source. */
const normalize = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n')

function sourcesUnder(dir: string): string[] {
  if (!existsSync(join(root, dir))) return []
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => normalize(readFileSync(join(root, dir, file), 'utf8')))
}

/** Every ```ts block of a Markdown text, normalized. */
const tsBlocks = (markdown: string) =>
  [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => normalize(match[1] ?? ''))

/** The names of `export type { … }` lines of a barrel. */
const typeExports = (barrel: string) =>
  [...readFileSync(join(root, barrel), 'utf8').matchAll(/export type \{([^}]+)\}/g)]
    .flatMap((m) => (m[1] ?? '').split(',').map((name) => name.trim()))
    .filter((name) => name !== '')

const docsDir = join(root, 'docs')
const docs = existsSync(docsDir)
  ? readdirSync(docsDir)
      .filter((file) => file.endsWith('.md'))
      .map((file) => [`docs/${file}`, readFileSync(join(docsDir, file), 'utf8')] as const)
  : []

describe('README', () => {
  test('starts with what the package is and the two commands', () => {
    const top = readme.split('\n').slice(0, 15).join('\n')
    expect(top).toMatch(/^# express-jwt-gate\n\n\S/)
    expect(top).toContain('npm ci && npm start')
    expect(top).toContain('npm ci && npm test')
  })

  test('every TypeScript block is code that an example or a test actually runs', () => {
    const sources = [
      ...sourcesUnder('examples'),
      ...sourcesUnder('__tests__'),
      ...sourcesUnder('bench'),
    ]
    const pages = [['README.md', readme] as const, ...docs]
    for (const [page, markdown] of pages) {
      const blocks = tsBlocks(markdown)
      expect(blocks.length).toBeGreaterThan(0)
      for (const block of blocks) {
        const found = sources.some((source) => source.includes(block))
        if (!found)
          throw new Error(`${page} block not found in examples/, __tests__/ or bench/:\n${block}`)
      }
    }
  })

  test('documents every export', () => {
    for (const name of [...Object.keys(api), ...typeExports('lib/index.ts')]) {
      expect(readme).toContain(`\`${name}`)
    }
  })

  test('docs/testing.md documents every export of express-jwt-gate/testing, and the README links it', () => {
    const page = docs.find(([file]) => file === 'docs/testing.md')?.[1] ?? ''
    for (const name of [...Object.keys(testing), ...typeExports('lib/testing/index.ts')]) {
      expect(page).toContain(`\`${name}`)
    }
    expect(readme).toContain('](docs/testing.md)')
  })

  test('documents every option', () => {
    for (const name of [...MIDDLEWARE_OPTION_NAMES, ...SIGN_OPTION_NAMES, ...GUARD_OPTION_NAMES]) {
      expect(readme).toContain(`\`${name}`)
    }
  })

  test('lists every error code in the table', () => {
    for (const code of api.JWT_AUTH_ERROR_CODES) {
      expect(readme).toMatch(new RegExp(`^\\| +\`${code}\` +\\| +\\d{3} +\\|`, 'm'))
    }
  })
})
