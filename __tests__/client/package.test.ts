import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import * as source from '../../lib/client/index'
import pkg from '../../package.json'

const root = resolve(__dirname, '..', '..')

describe('package.json exports ./client', () => {
  test('types first, then import (the browser bundle) and require', () => {
    const client = pkg.exports['./client']
    expect(Object.keys(client)).toEqual(['types', 'import', 'require'])
    expect(client).toEqual({
      types: './dist/client/index.d.ts',
      import: './dist/client/index.mjs',
      require: './dist/client/index.js',
    })
  })

  test('dist/client/index.mjs is one self-contained ES module', () => {
    const code = readFileSync(join(root, 'dist', 'client', 'index.mjs'), 'utf8')
    expect(code).not.toMatch(/^\s*import\b|\bimport\(|\brequire\(|from\s+['"]/m)
    expect(code).toMatch(/^export \{[^}]*\bcreateAuthClient\b[^}]*\};?\s*$/m)
  })
})

describe('the built client, as an application loads it', () => {
  let app: string
  beforeAll(() => {
    app = mkdtempSync(join(tmpdir(), 'jwt-gate-client-'))
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
    expect(
      run(
        'a.cjs',
        `console.log(JSON.stringify(Object.keys(require('express-jwt-gate/client')).sort()))`,
      ),
    ).toEqual(names)
    expect(
      run(
        'b.mjs',
        `import * as c from 'express-jwt-gate/client'\nconsole.log(JSON.stringify(Object.keys(c).sort()))`,
      ),
    ).toEqual(names)
  })

  test('the ES module decodes a token in Node too', () => {
    const token = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"é"}').toString('base64url')}.c2ln`
    const code = `import { decodeToken } from 'express-jwt-gate/client'\nconsole.log(JSON.stringify(decodeToken(${JSON.stringify(token)}).payload))`
    expect(run('c.mjs', code)).toEqual({ sub: 'é' })
  })

  test('its types compile in a browser program: DOM, no Node types', () => {
    writeFileSync(
      join(app, 'page.ts'),
      [
        "import { createAuthClient, decodeToken, type AuthClient } from 'express-jwt-gate/client'",
        "const auth: AuthClient = createAuthClient({ refreshUrl: '/auth/refresh', credentials: 'include' })",
        "export const shown: string = String(decodeToken(auth.token() ?? '').payload.sub)",
        "export const res: Promise<Response> = auth.fetch(new Request('/api'), { headers: [['a', 'b']] })",
      ].join('\n'),
    )
    // skipLibCheck off: the package's own .d.ts files are checked too.
    const compilerOptions = {
      strict: true,
      noEmit: true,
      lib: ['ES2022', 'DOM'],
      types: [],
      module: 'nodenext',
      skipLibCheck: false,
    }
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions, files: ['page.ts'] }),
    )
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
    const out = execFileSync(process.execPath, [tsc, '-p', app], { cwd: app, encoding: 'utf8' })
    expect(out).toBe('')
  })
})
