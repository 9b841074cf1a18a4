import fc from 'fast-check'
import { request as httpRequest, Agent } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { authErrorHandler, jwtAuth, requireFeature, signToken } from 'express-jwt-gate'
import { EXPRESS_VERSIONS, failOnUnhandledRejections } from '../helpers/apps'
import { SECRET } from '../helpers/tokens'

// Modest by default so `npm test` stays quick; FC_NUM_RUNS=5000 for a long local run.
const numRuns = Number(process.env.FC_NUM_RUNS ?? 150)

failOnUnhandledRejections()

/** `Bearer`, then auth-params, each a quoted string (RFC 9110 §11.2, RFC 6750 §3). */
const CHALLENGE =
  /^Bearer(?: [a-z_]+="(?:[^"\\\r\n]|\\[^\r\n])*"(?:, [a-z_]+="(?:[^"\\\r\n]|\\[^\r\n])*")*)?$/

const valid = signToken({ sub: 'alice', licensedFeatures: ['todos'] }, SECRET, { expiresIn: '1h' })
const b64tokenChar = fc.constantFrom(...'ABCXYZabcxyz0189-._~+/='.split(''))
const fieldChar = fc.mapToConstant(
  { num: 95, build: (v) => String.fromCharCode(0x20 + v) }, // visible ASCII and space
  { num: 1, build: () => '\t' },
  { num: 96, build: (v) => String.fromCharCode(0xa0 + v) }, // obs-text (latin1)
)

/** Header values built to sit near the grammar's edges, plus arbitrary field text. */
const authorization = fc.oneof(
  fc.string({ unit: fieldChar, maxLength: 120 }),
  fc
    .tuple(
      fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'Bearerx', 'Token', ''),
      fc.constantFrom(' ', '  ', '\t', '', ' \t'),
      fc.oneof(fc.string({ unit: b64tokenChar, maxLength: 60 }), fc.constant(valid)),
      fc.constantFrom('', ' ', ',', ' x', '=', ', Basic abc', '\t'),
    )
    .map((parts) => parts.join('')),
  // A valid token with one character changed somewhere.
  fc
    .tuple(fc.nat({ max: valid.length - 1 }), fieldChar)
    .map(([at, c]) => `Bearer ${valid.slice(0, at)}${c}${valid.slice(at + 1)}`),
)

/** One GET with the exact header value, over a kept-alive connection. */
function get(
  port: number,
  agent: Agent,
  path: string,
  value: string,
): Promise<{ status: number; challenge: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { port, host: '127.0.0.1', path, agent, headers: { authorization: value } },
      (res) => {
        res.resume()
        res.on('end', () => {
          const header = res.headers['www-authenticate']
          resolve({ status: res.statusCode ?? 0, challenge: header })
        })
      },
    )
    req.on('error', reject)
    req.end()
  })
}

describe.each(EXPRESS_VERSIONS)('arbitrary Authorization headers on %s', (_version, express) => {
  let server: Server
  let port: number
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })

  beforeAll(async () => {
    const app = express()
    app.use(jwtAuth(SECRET, { realm: 'prop "test"' }))
    app.get('/todos', requireFeature('todos'), (_req, res) => res.send('ok'))
    app.get('/invoices', requireFeature('invoicing'), (_req, res) => res.send('ok'))
    app.use(authErrorHandler())
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s))
    })
    port = (server.address() as AddressInfo).port
  })
  afterAll(async () => {
    agent.destroy()
    const closed = new Promise((resolve) => server.close(resolve))
    server.closeAllConnections() // or close() waits out the keep-alive timeout
    await closed
  })

  test(
    'never a 5xx; every 4xx carries a well-formed Bearer challenge',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          authorization,
          fc.constantFrom('/todos', '/invoices'),
          async (value, path) => {
            const { status, challenge } = await get(port, agent, path, value)
            expect([200, 400, 401, 403]).toContain(status)
            if (status >= 400) {
              expect(challenge).toMatch(CHALLENGE)
              expect(challenge).toMatch(/^Bearer realm="prop \\"test\\""/)
            }
            if (status === 200) expect(path).toBe('/todos')
          },
        ),
        { numRuns },
      )
    },
    30_000 + numRuns * 20,
  )
})
