import { execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import * as source from '../lib'
import pkg from '../package.json'

const root = resolve(__dirname, '..')

describe('package.json', () => {
  test('has no runtime dependencies and takes express as a peer', () => {
    expect(pkg).not.toHaveProperty('dependencies')
    expect(pkg.peerDependencies.express).toBe('^4.18 || ^5')
    expect(pkg.files).toEqual(['dist', 'CHANGELOG.md'])
  })

  // CONTRIBUTING.md, "Node lines": Node 20 is past its end of life, so the package
  // promises the oldest line CI fetches, and no older one.
  test('engines starts at Node 22, the oldest line scripts/node-lines.mjs tests', () => {
    const script = readFileSync(join(root, 'scripts', 'node-lines.mjs'), 'utf8')
    const lines = /^export const LINES = \[([^\]]*)\]/m.exec(script)?.[1] ?? ''
    const oldest = Math.min(...(lines.match(/\d+/g) ?? []).map(Number))
    expect(oldest).toBe(22)
    expect(pkg.engines).toEqual({ node: `>=${oldest}` })
  })

  test('repository, homepage and bugs name the same GitHub repository', () => {
    const repo = 'https://github.com/express-jwt-gate/express-jwt-gate'
    expect(pkg.repository).toEqual({ type: 'git', url: `git+${repo}.git` })
    expect(pkg.homepage).toBe(`${repo}#readme`)
    expect(pkg.bugs).toEqual({ url: `${repo}/issues` })
  })

  test('exports types first, for import and require, plus package.json', () => {
    const main = pkg.exports['.']
    expect(Object.keys(main)[0]).toBe('types')
    expect(main).toMatchObject({ import: './dist/index.mjs', require: './dist/index.js' })
    expect(pkg.exports['./package.json']).toBe('./package.json')
  })
})

describe('the built package, as an application loads it', () => {
  // A throwaway application whose node_modules holds this package (as a link),
  // so resolution goes through "exports" exactly as it would after `npm install`.
  let app: string
  beforeAll(() => {
    app = mkdtempSync(join(tmpdir(), 'jwt-gate-app-'))
    mkdirSync(join(app, 'node_modules'))
    symlinkSync(root, join(app, 'node_modules', 'express-jwt-gate'), 'dir')
  })
  afterAll(() => rmSync(app, { recursive: true, force: true }))

  const names = Object.keys(source).sort()

  function run(file: string, code: string): string[] {
    writeFileSync(join(app, file), code)
    const out = execFileSync(process.execPath, [join(app, file)], { cwd: app, encoding: 'utf8' })
    return JSON.parse(out) as string[]
  }

  test('require() gets every export of the source', () => {
    expect(
      run('a.cjs', `console.log(JSON.stringify(Object.keys(require('express-jwt-gate')).sort()))`),
    ).toEqual(names)
  })

  test('import gets the same named exports, sharing one set of classes with require()', () => {
    const code = `
      import * as esm from 'express-jwt-gate'
      import { createRequire } from 'node:module'
      const cjs = createRequire(import.meta.url)('express-jwt-gate')
      if (esm.JwtAuthError !== cjs.JwtAuthError) throw new Error('two copies of the classes')
      console.log(JSON.stringify(Object.keys(esm).sort()))`
    expect(run('b.mjs', code)).toEqual(names)
  })

  test('import { signToken, verifyToken } works from an .mjs file', () => {
    const code = `
      import { signToken, verifyToken, generateSecret } from 'express-jwt-gate'
      const secret = generateSecret()
      console.log(JSON.stringify(Object.keys(verifyToken(signToken({ a: 1 }, secret), secret))))`
    expect(run('c.mjs', code)).toEqual(['a', 'iat', 'exp'])
  })
})
