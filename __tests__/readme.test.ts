import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import * as api from 'express-jwt-gate'
import {
  CredentialsMissingError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  RefreshTokenError,
  ServiceUnavailableError,
  type JwtAuthError,
  type JwtAuthErrorCode,
} from 'express-jwt-gate'
import * as testing from 'express-jwt-gate/testing'
import { GUARD_OPTION_NAMES } from '../lib/express/guard'
import { MIDDLEWARE_OPTION_NAMES } from '../lib/express/middleware'
import { SIGN_OPTION_NAMES } from '../lib/core/sign-options'

/**
 * The README and every page of docs/ (and bench/README.md), checked as one set: what
 * they show runs, what they name exists, and the README stays a page one can read.
 */

const root = join(__dirname, '..')
const read = (path: string) => readFileSync(join(root, path), 'utf8')
const readme = read('README.md')

/** The README's size limit, in characters: past it, move a section to docs/. */
const README_MAX_CHARACTERS = 12_000

/** Every documentation page, by its path from the repository root. */
const pages: (readonly [string, string])[] = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
  'bench/README.md',
].map((path) => [path, read(path)] as const)
const docs = pages.filter(([path]) => path.startsWith('docs/'))
const allText = pages.map(([, text]) => text).join('\n')

/** Pages that show no TypeScript: an index, shell commands (cli.test.ts runs those), prose. */
const PAGES_WITHOUT_CODE = [
  'docs/README.md',
  'docs/cli.md',
  'docs/security.md',
  'docs/errors.md',
  'bench/README.md',
]

/** Lines without indentation or blank lines, so an excerpt matches its source. */
const normalize = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n')

function sourcesUnder(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(ts|mjs)$/.test(file) && !file.includes('node_modules'))
    .map((file) => normalize(readFileSync(join(root, dir, file), 'utf8')))
}

/** The bodies of a Markdown text's fenced blocks in `language`. */
const blocks = (markdown: string, language: string) =>
  [...markdown.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map(
    (match) => match[1] ?? '',
  )

/** A Markdown text without its fenced blocks, where `](` may be code rather than a link. */
const prose = (markdown: string) => markdown.replace(/```[\s\S]*?```/g, '')

/** The names of `export type { … }` lines of a barrel. */
const typeExports = (barrel: string) =>
  [...read(barrel).matchAll(/export type \{([^}]+)\}/g)]
    .flatMap((m) => (m[1] ?? '').split(',').map((name) => name.trim()))
    .filter((name) => name !== '')

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchors(markdown: string): string[] {
  const seen = new Map<string, number>()
  return [...prose(markdown).matchAll(/^#+ (.+)$/gm)].map(([, heading]) => {
    const slug = (heading ?? '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-')
    const count = seen.get(slug) ?? 0
    seen.set(slug, count + 1)
    return count === 0 ? slug : `${slug}-${count}`
  })
}

/** The error a code belongs to, made the way the package makes it. */
function errorFor(code: JwtAuthErrorCode): JwtAuthError {
  const message = code
  if (code === 'credentials_missing') return new CredentialsMissingError()
  if (code === 'request_malformed') return new InvalidRequestError({ message })
  if (code === 'feature_missing' || code === 'scope_missing') {
    return new InsufficientScopeError({ code, required: ['x'], missing: ['x'] })
  }
  if (['revocation_unavailable', 'store_unavailable', 'claims_unavailable'].includes(code)) {
    return new ServiceUnavailableError({ code: code as never, message, retryAfter: 1 })
  }
  const refresh = ['session_revoked', 'subject_unknown', 'grant_type_unsupported']
  if (code.startsWith('refresh_token_') || refresh.includes(code)) {
    return new RefreshTokenError({ code: code as never, message })
  }
  return new InvalidTokenError({ code: code as never, message })
}

describe('README', () => {
  test(`is at most ${README_MAX_CHARACTERS} characters`, () => {
    expect(readme.length).toBeLessThanOrEqual(README_MAX_CHARACTERS)
  })

  test('starts with what the package is, how to install it, then the two commands', () => {
    const top = readme.split('\n').slice(0, 20).join('\n')
    expect(top).toMatch(/^# express-jwt-gate\n\n\S/)
    const install = top.indexOf('npm install express-jwt-gate')
    const start = top.indexOf('npm ci && npm start')
    const tests = top.indexOf('npm ci && npm test')
    expect(install).toBeGreaterThan(0)
    expect(start).toBeGreaterThan(install)
    expect(tests).toBeGreaterThan(start)
  })

  test('lists every error code in the table, with the status the package answers', () => {
    for (const code of api.JWT_AUTH_ERROR_CODES) {
      const row = new RegExp(`^\\| +\`${code}\` +\\| +(\\d{3}) +\\|`, 'm').exec(readme)
      expect([code, Number(row?.[1])]).toEqual([code, errorFor(code).status])
    }
  })

  test('links every page of docs/ and bench/README.md', () => {
    for (const [path] of pages.filter(([p]) => p !== 'README.md')) {
      expect(readme).toContain(`](${path})`)
    }
  })

  describe('the performance table quotes a file the bench wrote', () => {
    const section = readme.slice(readme.indexOf('## Performance'))
    const table = section
      .slice(0, section.indexOf('\n## '))
      .split('\n')
      .filter((line) => line.startsWith('|'))
      .map((line) =>
        line
          .slice(1, -1)
          .split('|')
          .map((cell) => cell.trim()),
      )
    const [head = [], , ...rows] = table
    const results = readdirSync(join(root, 'bench', 'results'))
      .filter((file) => file.endsWith('.json'))
      .flatMap((file) => {
        const data = JSON.parse(read(`bench/results/${file}`)) as {
          tables: Record<string, { head: string[]; rows: string[][] }>
        }
        return Object.values(data.tables)
      })

    test('has a header and rows', () => {
      expect(head.length).toBeGreaterThan(1)
      expect(rows.length).toBeGreaterThan(2)
    })

    test.each(rows.map((row) => [row[0], row] as const))(
      '%s: every cell as the results say',
      (_, row) => {
        const found = results.some((quoted) => {
          const columns = head.map((name) => quoted.head.indexOf(name))
          if (columns.includes(-1)) return false
          return quoted.rows.some((cells) => columns.every((at, i) => cells[at] === row[i]))
        })
        expect(found).toBe(true)
      },
    )

    test('names the results file it quotes', () => {
      expect(section).toMatch(/\]\(bench\/results\/\w+\.md\)/)
    })
  })

  test('every ratio it or bench/README.md quotes is in a results file', () => {
    const results = readdirSync(join(root, 'bench', 'results'))
      .filter((file) => file.endsWith('.md'))
      .map((file) => read(`bench/results/${file}`))
      .join('\n')
    for (const text of [readme, read('bench/README.md')]) {
      for (const [ratio] of text.matchAll(/\d+\.\d\d×/g)) expect(results).toContain(ratio)
    }
  })
})

describe('README and docs/', () => {
  test.each(pages.map(([path]) => path))(
    '%s: every TypeScript and JavaScript block is code an example, a test or a bench runs',
    (path) => {
      // Whole lines only: a block may not stop halfway through a line of its source.
      const sources = [
        ...sourcesUnder('examples'),
        ...sourcesUnder('__tests__'),
        ...sourcesUnder('bench'),
      ].map((source) => `\n${source}\n`)
      const markdown = read(path)
      const code = [...blocks(markdown, 'ts'), ...blocks(markdown, 'js')].map(normalize)
      if (!PAGES_WITHOUT_CODE.includes(path)) expect(code.length).toBeGreaterThan(0)
      for (const block of code) {
        if (!sources.some((source) => source.includes(`\n${block}\n`))) {
          throw new Error(`${path} block not found in examples/, __tests__/ or bench/:\n${block}`)
        }
      }
    },
  )

  test.each(pages.map(([path]) => path))('%s: every relative link and anchor lands', (path) => {
    const text = read(path)
    for (const [, target = ''] of prose(text).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue
      const [file = '', anchor] = target.split('#')
      const landing = file === '' ? path : relative(root, join(root, dirname(path), file))
      if (!existsSync(join(root, landing))) throw new Error(`${path}: no file ${target}`)
      if (anchor === undefined) continue
      if (!anchors(read(landing)).includes(anchor)) {
        throw new Error(`${path}: no heading for ${target}`)
      }
    }
  })

  test.each(pages.map(([path]) => path))(
    '%s: names no path of the machine it was written on',
    (path) => {
      expect(read(path)).not.toMatch(/(^|[\s(`'"])\/(work|tmp|home|root|usr|Users)\//m)
    },
  )

  test.each(pages.map(([path]) => path))('%s: runs the command-line tool through npx', (path) => {
    const bare =
      /(?<!npx |npx -p express-jwt-gate )\bjwt-gate (?:secret|sign|verify|decode|help|--)/
    expect(read(path)).not.toMatch(bare)
  })

  test('document every export', () => {
    for (const name of [...Object.keys(api), ...typeExports('lib/index.ts')]) {
      expect([name, allText.includes(`\`${name}`)]).toEqual([name, true])
    }
  })

  test('document every option', () => {
    for (const name of [...MIDDLEWARE_OPTION_NAMES, ...SIGN_OPTION_NAMES, ...GUARD_OPTION_NAMES]) {
      expect([name, allText.includes(`\`${name}`)]).toEqual([name, true])
    }
  })

  test('docs/errors.md lists every code with the status and error attribute the package gives it', () => {
    const page = read('docs/errors.md')
    for (const code of api.JWT_AUTH_ERROR_CODES) {
      const row = new RegExp(
        `^\\| +\`${code}\` +\\| +(\\d{3}) +\\| +(\`(\\w+)\`|\\(none\\)) +\\|`,
        'm',
      ).exec(page)
      const error = errorFor(code)
      expect([code, Number(row?.[1]), row?.[3]]).toEqual([code, error.status, error.error])
    }
  })

  test('docs/testing.md documents every export of express-jwt-gate/testing, and the README links it', () => {
    const page = read('docs/testing.md')
    for (const name of [...Object.keys(testing), ...typeExports('lib/testing/index.ts')]) {
      expect(page).toContain(`\`${name}`)
    }
    expect(readme).toContain('](docs/testing.md)')
  })

  test('docs/README.md lists every other page of docs/', () => {
    const index = read('docs/README.md')
    for (const [path] of docs.filter(([p]) => p !== 'docs/README.md')) {
      expect(index).toContain(`](${path.slice('docs/'.length)})`)
    }
  })
})
