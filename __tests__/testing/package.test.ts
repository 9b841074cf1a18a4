import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import * as source from '../../lib/testing/index'
import pkg from '../../package.json'

const root = resolve(__dirname, '..', '..')

describe('package.json exports ./testing', () => {
  test('types first, then import and require', () => {
    const testing = pkg.exports['./testing']
    expect(Object.keys(testing)).toEqual(['types', 'import', 'require'])
    expect(testing).toEqual({
      types: './dist/testing/index.d.ts',
      import: './dist/testing/index.mjs',
      require: './dist/testing/index.js',
    })
  })
})

describe('the built testing helpers, as an application loads them', () => {
  let app: string
  beforeAll(() => {
    app = mkdtempSync(join(tmpdir(), 'jwt-gate-testing-'))
    mkdirSync(join(app, 'node_modules'))
    symlinkSync(root, join(app, 'node_modules', 'express-jwt-gate'), 'dir')
  })
  afterAll(() => rmSync(app, { recursive: true, force: true }))

  const names = Object.keys(source).sort()
  const run = (file: string, code: string): unknown => {
    writeFileSync(join(app, file), code)
    return JSON.parse(execFileSync(process.execPath, [join(app, file)], { encoding: 'utf8' }))
  }

  test('require() and import get every export of the source', () => {
    const list = 'JSON.stringify(Object.keys(t).sort())'
    expect(
      run('a.cjs', `const t = require('express-jwt-gate/testing')\nconsole.log(${list})`),
    ).toEqual(names)
    expect(
      run('b.mjs', `import * as t from 'express-jwt-gate/testing'\nconsole.log(${list})`),
    ).toEqual(names)
  })

  test("import and require share one module: one secret, and the main entry's error classes", () => {
    const code = `
      import { createRequire } from 'node:module'
      import { JwtSetupError, verifyToken } from 'express-jwt-gate'
      import { mintToken, testSecret } from 'express-jwt-gate/testing'
      const cjs = createRequire(import.meta.url)('express-jwt-gate/testing')
      let err
      try { mintToken([]) } catch (e) { err = e }
      console.log(JSON.stringify({
        sameSecret: cjs.testSecret === testSecret,
        verified: verifyToken(cjs.mintToken({ sub: 'alice' }), testSecret).sub,
        setupError: err instanceof JwtSetupError,
      }))`
    expect(run('c.mjs', code)).toEqual({ sameSecret: true, verified: 'alice', setupError: true })
  })

  /** Compile `files` as an application would, against the built types; tsc's output. */
  function compile(files: Record<string, string>): string {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(app, name), text)
    const compilerOptions = {
      strict: true,
      noEmit: true,
      module: 'nodenext',
      types: ['node'],
      typeRoots: [join(root, 'node_modules', '@types')],
      skipLibCheck: false,
    }
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions, files: Object.keys(files) }),
    )
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
    try {
      return execFileSync(process.execPath, [tsc, '-p', app], { cwd: app, encoding: 'utf8' })
    } catch (err) {
      return (err as { stdout: string }).stdout
    }
  }

  const usesFeatures = [
    "import { requireFeature, signToken } from 'express-jwt-gate'",
    "import { mintToken } from 'express-jwt-gate/testing'",
    "export const guard = requireFeature('invoicing')",
    "export const token: string = mintToken({ licensedFeatures: ['invoicing'] })",
    "export const signed: string = signToken({}, 'x', { expiresIn: '15m' })",
  ].join('\n')
  const declaration = (moduleLine: string) =>
    `${moduleLine}\ndeclare module 'express-jwt-gate' {\n  interface Features {\n    invoicing: true\n  }\n}\n`

  test('a Features declaration in a .d.ts module file adds to the package types', () => {
    expect(compile({ 'app.ts': usesFeatures, 'augment.d.ts': declaration('export {}') })).toBe('')
  })

  test('without export {} it replaces them: TS2305 for every other export', () => {
    const out = compile({ 'app.ts': usesFeatures, 'augment.d.ts': declaration('') })
    expect(out).toContain(
      "error TS2305: Module '\"express-jwt-gate\"' has no exported member 'requireFeature'.",
    )
    expect(out).toContain(
      "error TS2305: Module '\"express-jwt-gate\"' has no exported member 'signToken'.",
    )
  })
})
