import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync, statSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import {
  InvalidTokenError,
  RefreshTokenError,
  ServiceUnavailableError,
  type RefreshTokenErrorCode,
  type ServiceUnavailableErrorCode,
} from 'express-jwt-gate'
import { createAuthClient, decodeToken } from 'express-jwt-gate/client'
import { isTokenExpired, tokenExpiresAt, tokenFeatures } from 'express-jwt-gate/client'
import { createApp } from '../examples/server'
import { SECRET } from './helpers/tokens'

/**
 * What docs/sessions.md and docs/client.md say beyond what readme.test.ts checks on every
 * page (code blocks that run, links that land): every shell walkthrough prints what the
 * doc says it prints, and every code in the table is the package's own.
 */

const root = join(__dirname, '..')
const read = (name: string) => readFileSync(join(root, 'docs', name), 'utf8')

const blocks = (text: string, language: string) =>
  [...text.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map(
    (match) => match[1] ?? '',
  )

describe('docs/sessions.md: the codes table', () => {
  const text = read('sessions.md')
  /** The table's rows: code, status, error attribute. */
  const rows = new Map(
    [...text.matchAll(/^\| +`(\w+)` +\| +(\d{3}) +\| +`(\w+)` +\|/gm)].map(
      ([, code, status, error]) => [code, { status: Number(status), error }],
    ),
  )
  const refreshCodes: RefreshTokenErrorCode[] = [
    'request_malformed',
    'grant_type_unsupported',
    'refresh_token_invalid',
    'refresh_token_expired',
    'refresh_token_reused',
    'session_revoked',
    'subject_unknown',
  ]
  const unavailable: ServiceUnavailableErrorCode[] = [
    'store_unavailable',
    'claims_unavailable',
    'revocation_unavailable',
  ]

  test('lists every refresh code, with the status and error the package answers', () => {
    for (const code of refreshCodes) {
      const error = new RefreshTokenError({ code, message: code })
      expect([code, rows.get(code)]).toEqual([code, { status: error.status, error: error.error }])
    }
  })

  test('lists what authenticate adds, and every 503, with their status and error', () => {
    for (const code of ['token_revoked', 'token_stale'] as const) {
      const error = new InvalidTokenError({ code, message: code })
      expect([code, rows.get(code)]).toEqual([code, { status: error.status, error: error.error }])
    }
    for (const code of unavailable) {
      const error = new ServiceUnavailableError({ code, message: code, retryAfter: 1 })
      expect([code, rows.get(code)]).toEqual([code, { status: error.status, error: error.error }])
    }
    expect(rows.size).toBe(refreshCodes.length + 2 + unavailable.length)
  })
})

describe('docs/client.md: the decoding helpers, as the doc shows them', () => {
  test('decoded, not verified: they read what any token claims', () => {
    const sign = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const exp = Math.floor(Date.now() / 1000) + 30
    // Not even signed: the helpers cannot tell, which is the point.
    const accessToken = `${sign({ alg: 'HS256', typ: 'JWT' })}.${sign({ sub: 'bob', exp, licensedFeatures: ['todos'] })}.c2ln`

    const { header, payload } = decodeToken(accessToken)
    const features = tokenFeatures(accessToken)
    const expiresAt = tokenExpiresAt(accessToken)
    const endingSoon = isTokenExpired(accessToken, { skew: 60 })

    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' })
    expect(payload).toEqual({ sub: 'bob', exp, licensedFeatures: ['todos'] })
    expect(features).toEqual(['todos'])
    expect(expiresAt).toEqual(new Date(exp * 1000))
    expect(endingSoon).toBe(true)
    expect(isTokenExpired(accessToken)).toBe(false)
    expect(typeof createAuthClient).toBe('function')
  })

  test('the picture is there, a PNG, and small', () => {
    const image = join(root, 'docs', 'images', 'demo.png')
    expect(read('client.md')).toContain('](images/demo.png)')
    expect(readFileSync(image).subarray(1, 4).toString()).toBe('PNG')
    expect(statSync(image).size).toBeLessThan(300 * 1024)
  })
})

describe('docs/sessions.md: the shell walkthroughs, run against the example API', () => {
  let server: Server
  let api: string
  beforeAll(async () => {
    server = createApp(SECRET).listen(0, '127.0.0.1')
    await once(server, 'listening')
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => {
    server.closeAllConnections()
    server.close()
  })

  test('every "# →" line is what the command before it prints, in order', async () => {
    const script = blocks(read('sessions.md'), 'sh').join('\n')
    expect(script.match(/^API=http:\/\/127\.0\.0\.1:3000$/gm)).toHaveLength(1)
    const expected = [...script.matchAll(/^# → (.+)$/gm)].map(([, line]) => line ?? '')
    expect(expected.length).toBeGreaterThanOrEqual(9)

    const shell = spawn('bash', [
      '-euo',
      'pipefail',
      '-c',
      script.replace(/^API=.*$/m, `API=${api}`),
    ])
    let out = ''
    let err = ''
    shell.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    shell.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
    const [code] = (await once(shell, 'exit')) as [number]
    expect(err).toBe('')
    expect(code).toBe(0)
    let from = 0
    for (const line of expected) {
      const at = out.indexOf(line, from)
      if (at === -1) throw new Error(`not printed (after offset ${from}): ${line}\n\n${out}`)
      from = at + line.length
    }
  }, 40_000)
})
