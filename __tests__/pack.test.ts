import { execFileSync } from 'node:child_process'
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, posix, resolve } from 'node:path'
import pkg from '../package.json'

/**
 * The package as npm publishes it: what `npm pack` puts in the tarball, and an application
 * in the system's temporary directory that installs that tarball, and nothing else of this
 * repository, then uses it by `require`, by `import` and from `node_modules/.bin`.
 *
 * Every npm run passes --ignore-scripts: pretest has built dist/ already, and CI runs this
 * suite on several Node lines at once, so prepack must not rebuild dist/ under the others.
 * npm's own variables are dropped from the environment, so that an `npm test` around this
 * run cannot point the npm started here back at the repository.
 */

const root = resolve(__dirname, '..')
const npmEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)),
)

function npm(args: readonly string[], cwd: string): string {
  return execFileSync('npm', [...args, '--ignore-scripts', '--loglevel=error'], {
    cwd,
    env: npmEnv,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  })
}

interface Packed {
  readonly filename: string
  readonly integrity: string
}

let work: string
let packed: Packed
/** The tarball's files, as `tar` unpacks them (`package/` stripped). */
let files: string[]
/** The text of one file of the tarball. */
const shipped = (path: string) => readFileSync(join(work, 'package', path), 'utf8')

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'jwt-gate-pack-'))
  packed = (JSON.parse(npm(['pack', '--json', '--pack-destination', work], root)) as Packed[])[0]!
  execFileSync('tar', ['-xzf', join(work, packed.filename), '-C', work])
  files = readdirSync(join(work, 'package'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => posix.relative(join(work, 'package'), join(entry.parentPath, entry.name)))
    .sort()
}, 60_000)
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('the tarball', () => {
  test('holds every entry point with its types, the command, and the files npm always shows', () => {
    const entryPoints = ['dist/index', 'dist/client/index', 'dist/testing/index'].flatMap(
      (base) => [`${base}.js`, `${base}.mjs`, `${base}.d.ts`],
    )
    const named = [pkg.main, pkg.types, ...Object.values(pkg.bin), ...targets(pkg.exports)]
    const wanted = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/bin/jwt-gate.js']
    const missing = [...wanted, ...entryPoints, ...named]
      .map((path) => posix.normalize(path))
      .filter((path) => !files.includes(path))
    expect(missing).toEqual([])
  })

  test('has nothing at the top but dist/, package.json, README, LICENSE and CHANGELOG', () => {
    const top = [...new Set(files.map((path) => path.split('/')[0]))].sort()
    expect(top).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'dist', 'package.json'])
  })

  test('leaves out tests, benches, scripts, sources, configs, maps and .env files', () => {
    expect(files.filter(isRepositoryOnly)).toEqual([])
    // The rule itself, on what it exists to keep out.
    const repositoryFiles = [
      '__tests__/pack.test.ts',
      'dist/__tests__/pack.test.js',
      'bench/verify.ts',
      'coverage/lcov.info',
      '.cache/node/22/x',
      '.ci/run',
      'scripts/build.mjs',
      'examples/server.ts',
      'lib/index.ts',
      'dist/index.ts',
      'tsconfig.build.json',
      'dist/index.js.map',
      '.env',
      'dist/.env.local',
    ]
    expect(repositoryFiles.filter((path) => !isRepositoryOnly(path))).toEqual([])
    expect(['dist/index.d.ts', 'dist/testing/index.js'].filter(isRepositoryOnly)).toEqual([])
  })

  test('every CommonJS module comes with its declarations', () => {
    const untyped = files.filter(
      (path) => path.endsWith('.js') && !files.includes(path.replace(/\.js$/, '.d.ts')),
    )
    expect(untyped).toEqual([])
  })

  test('every relative import, require and type import resolves to a file in the tarball', () => {
    const unresolved: string[] = []
    for (const path of files.filter((file) => /\.(m?js|d\.ts)$/.test(file))) {
      for (const specifier of relativeImports(shipped(path))) {
        const target = posix.join(posix.dirname(path), specifier)
        if (!candidates(path, target).some((file) => files.includes(file))) {
          unresolved.push(`${path} -> ${specifier}`)
        }
      }
    }
    expect(unresolved).toEqual([])
    // Not a vacuous pass: the entry points do import their modules.
    expect(relativeImports(shipped('dist/index.d.ts'))).toContain('./sign')
  })

  test('no file names a source map: there are none, and lib/ is not shipped', () => {
    const naming = files.filter((path) => /[#@] sourceMappingURL=/.test(shipped(path)))
    expect(naming).toEqual([])
  })

  test('the command keeps its shebang', () => {
    expect(shipped('dist/bin/jwt-gate.js').split('\n')[0]).toBe('#!/usr/bin/env node')
  })
})

describe('an application that installs the tarball', () => {
  let app: string
  beforeAll(() => {
    app = join(work, 'app')
    mkdirSync(app)
    writeManifests(app)
    // The lock names every package with its integrity, so npm needs no registry metadata:
    // with the repository's npm ci done, everything comes from the local cache.
    npm(['ci', '--prefer-offline', '--no-audit', '--no-fund'], app)
    app = realpathSync(app)
  }, 150_000)

  /** Run `code` as the file `name` of the application, and parse what it prints. */
  function run(name: string, code: string): unknown {
    writeFileSync(join(app, name), code)
    const out = execFileSync(process.execPath, [name], {
      cwd: app,
      encoding: 'utf8',
      timeout: 30_000,
    })
    return JSON.parse(out)
  }

  test('require() loads the three entry points from node_modules, and none of the repository', () => {
    const out = run('main.cjs', REQUIRE_APP)
    const modules = join(app, 'node_modules')
    expect(out).toEqual({
      resolved: [
        join(modules, 'express-jwt-gate', 'dist', 'index.js'),
        join(modules, 'express-jwt-gate', 'dist', 'client', 'index.js'),
        join(modules, 'express-jwt-gate', 'dist', 'testing', 'index.js'),
        join(modules, 'express', 'index.js'),
      ],
      repositoryDevDependency: 'not found',
      licensed: [200, { sub: 'alice' }],
      expired: [401, 'token_expired'],
      decoded: 'alice',
    })
  }, 30_000)

  test('import loads them as ES modules that share the classes of require()', () => {
    const out = run('main.mjs', IMPORT_APP)
    const dist = join(app, 'node_modules', 'express-jwt-gate', 'dist')
    expect(out).toEqual({
      resolved: [
        join(dist, 'index.mjs'),
        join(dist, 'client', 'index.mjs'),
        join(dist, 'testing', 'index.mjs'),
      ],
      sameClass: true,
      refused: 'signature_invalid',
      throughClient: [200, { sub: 'bob' }],
    })
  }, 30_000)

  test('node_modules/.bin/jwt-gate --version prints the version', () => {
    const bin = join(app, 'node_modules', '.bin', 'jwt-gate')
    const out = execFileSync(bin, ['--version'], { cwd: app, encoding: 'utf8', timeout: 30_000 })
    expect(out.trim()).toBe(pkg.version)
  }, 30_000)
})

/** Every file path among the conditions of an `exports` map, `./package.json` aside. */
function targets(exportsMap: unknown): string[] {
  if (typeof exportsMap === 'string') return exportsMap === './package.json' ? [] : [exportsMap]
  if (typeof exportsMap !== 'object' || exportsMap === null) return []
  return Object.values(exportsMap).flatMap(targets)
}

const REPOSITORY_ONLY = [
  /(^|\/)(__tests__|tests?|bench|coverage|\.cache|\.ci|scripts|examples|lib|docs|node_modules)\//,
  /(^|\/)\.(bench|screenshots)\//,
  /(^|\/)tsconfig[^/]*\.json$/,
  /(^|\/)(jest|eslint|typedoc)[^/]*\.(ts|mjs|json)$/,
  /\.map$/,
  /(^|\/)\.env(\.[^/]*)?$/,
  /\.(test|spec|check)\.[cm]?[jt]s$/,
  // TypeScript sources; declarations (.d.ts) ship.
  /(?<!\.d)\.[cm]?ts$/,
]
const isRepositoryOnly = (path: string) => REPOSITORY_ONLY.some((rule) => rule.test(path))

/**
 * The relative specifiers of a module's `import`/`export … from`, `require()` and
 * `import()` (types included). Comment lines are skipped: TSDoc examples import too.
 */
function relativeImports(code: string): string[] {
  const lines = code.split('\n').filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line))
  const specifiers = lines
    .join('\n')
    .matchAll(/(?:\bfrom\s*|\brequire\(\s*|\bimport\(\s*)["'](\.{1,2}\/[^"']+)["']/g)
  return [...specifiers].map((match) => match[1] ?? '')
}

/** The files a specifier of `from` can mean, as Node (.js, .mjs) or TypeScript (.d.ts) resolve it. */
function candidates(from: string, target: string): string[] {
  if (from.endsWith('.d.ts')) {
    return [`${target}.d.ts`, `${target}/index.d.ts`, target.replace(/\.(m?)js$/, '.d.$1ts')]
  }
  if (from.endsWith('.mjs')) return [target]
  return [target, `${target}.js`, `${target}.json`, `${target}/index.js`]
}

/**
 * package.json and package-lock.json for the application: this package from the tarball,
 * and Express as this repository's lock has it (the same version and integrity, at the
 * same places in node_modules), so that `npm ci` fetches no registry metadata.
 */
function writeManifests(app: string): void {
  type Entry = Record<string, unknown> & {
    dependencies?: Record<string, string>
    optionalDependencies?: Record<string, string>
  }
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, Entry>
  }
  const found: Record<string, Entry> = {}
  const queue = ['node_modules/express']
  for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
    if (Object.hasOwn(found, path)) continue
    const entry = { ...lock.packages[path] }
    // These flags say how the repository uses the package; the application's npm decides anew.
    for (const flag of ['dev', 'devOptional', 'peer']) delete entry[flag]
    found[path] = entry
    const from = path
    const names = Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })
    queue.push(...names.map((name) => locate(lock.packages, from, name)))
  }
  const tarball = `file:../${packed.filename}`
  const express = lock.packages['node_modules/express']!.version as string
  const dependencies = { express, 'express-jwt-gate': tarball }
  const self = {
    version: pkg.version,
    resolved: tarball,
    integrity: packed.integrity,
    license: pkg.license,
    bin: pkg.bin,
    engines: pkg.engines,
    peerDependencies: pkg.peerDependencies,
    peerDependenciesMeta: pkg.peerDependenciesMeta,
  }
  const manifest = { name: 'tarball-app', private: true, dependencies }
  writeFileSync(join(app, 'package.json'), JSON.stringify(manifest, null, 2))
  const packages = {
    '': { name: 'tarball-app', dependencies },
    'node_modules/express-jwt-gate': self,
    ...found,
  }
  writeFileSync(
    join(app, 'package-lock.json'),
    JSON.stringify({ name: 'tarball-app', lockfileVersion: 3, requires: true, packages }, null, 2),
  )
}

/** Where Node finds `name` from the package at `from` in a lock's node_modules tree. */
function locate(packages: Record<string, unknown>, from: string, name: string): string {
  const chain = from.slice('node_modules/'.length).split('/node_modules/')
  for (let depth = chain.length; depth >= 0; depth--) {
    const prefix = chain
      .slice(0, depth)
      .map((parent) => `node_modules/${parent}/`)
      .join('')
    if (Object.hasOwn(packages, `${prefix}node_modules/${name}`)) {
      return `${prefix}node_modules/${name}`
    }
  }
  throw new Error(`package-lock.json has no ${name} for ${from}`)
}

/** An Express app by require(): a licensed and an expired token, and the client's decoder. */
const REQUIRE_APP = `
const { once } = require('node:events')
const express = require('express')
const { authErrorHandler, jwtAuth, requireFeature } = require('express-jwt-gate')
const { decodeToken } = require('express-jwt-gate/client')
const { expiredToken, mintToken, testSecret } = require('express-jwt-gate/testing')

async function main() {
  const app = express()
  app.use(jwtAuth(testSecret))
  app.get('/invoices', requireFeature('invoicing'), (req, res) => res.json({ sub: req.user.sub }))
  app.use(authErrorHandler())
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const url = 'http://127.0.0.1:' + server.address().port + '/invoices'
  const get = (token) => fetch(url, { headers: { authorization: 'Bearer ' + token } })
  const token = mintToken({ sub: 'alice', licensedFeatures: ['invoicing'] })
  const licensed = await get(token)
  const expired = await get(expiredToken())
  let repositoryDevDependency = 'found'
  try { require.resolve('jose') } catch { repositoryDevDependency = 'not found' }
  console.log(JSON.stringify({
    resolved: ['express-jwt-gate', 'express-jwt-gate/client', 'express-jwt-gate/testing', 'express']
      .map((name) => require.resolve(name)),
    repositoryDevDependency,
    licensed: [licensed.status, await licensed.json()],
    expired: [expired.status, (await expired.json()).code],
    decoded: decodeToken(token).payload.sub,
  }))
  server.closeAllConnections()
  server.close()
}
main().catch((error) => { console.error(error); process.exit(1) })
`

/** The same by import, with the browser client's fetch wrapper sending the token. */
const IMPORT_APP = `
import { once } from 'node:events'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import express from 'express'
import { JwtAuthError, authErrorHandler, jwtAuth, verifyToken } from 'express-jwt-gate'
import { createAuthClient } from 'express-jwt-gate/client'
import { mintToken, tamperedToken, testSecret } from 'express-jwt-gate/testing'

const app = express()
app.use(jwtAuth(testSecret))
app.get('/me', (req, res) => res.json({ sub: req.user.sub }))
app.use(authErrorHandler())
const server = app.listen(0, '127.0.0.1')
await once(server, 'listening')
const base = 'http://127.0.0.1:' + server.address().port
const auth = createAuthClient({ refreshUrl: base + '/refresh' })
auth.setTokens({ access_token: mintToken({ sub: 'bob' }), token_type: 'Bearer', expires_in: 900 })
const me = await auth.fetch(base + '/me')
let refused
try { verifyToken(tamperedToken(), testSecret) } catch (error) { refused = error }
const require = createRequire(import.meta.url)
console.log(JSON.stringify({
  resolved: ['express-jwt-gate', 'express-jwt-gate/client', 'express-jwt-gate/testing']
    .map((name) => fileURLToPath(import.meta.resolve(name))),
  sameClass: require('express-jwt-gate').JwtAuthError === JwtAuthError,
  refused: refused instanceof JwtAuthError ? refused.code : String(refused),
  throughClient: [me.status, await me.json()],
}))
server.closeAllConnections()
server.close()
`
