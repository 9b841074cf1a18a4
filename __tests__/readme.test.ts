import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as api from 'express-jwt-gate'
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
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) =>
      normalize(match[1] ?? ''),
    )
    expect(blocks.length).toBeGreaterThan(0)
    for (const block of blocks) {
      const found = sources.some((source) => source.includes(block))
      if (!found)
        throw new Error(`README block not found in examples/, __tests__/ or bench/:\n${block}`)
    }
  })

  test('documents every export', () => {
    const indexSource = readFileSync(join(root, 'lib', 'index.ts'), 'utf8')
    const typeNames = [...indexSource.matchAll(/export type \{([^}]+)\}/g)].flatMap((m) =>
      (m[1] ?? '').split(',').map((name) => name.trim()),
    )
    for (const name of [...Object.keys(api), ...typeNames].filter((n) => n !== '')) {
      expect(readme).toContain(`\`${name}`)
    }
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
