import { randomUUID } from 'node:crypto'
import { generateSecret, signToken } from '../../lib'
import type { SignOptions } from '../../lib'
import type { SessionPools } from './sessions'

/** One kind of request and the one status the server must answer it with. */
export interface RequestClass {
  readonly name: string
  readonly method: 'GET' | 'POST'
  readonly path: string
  readonly expected: number
  /** Headers for the next request of this class: a different token each time where it has one. */
  readonly headers: () => Record<string, string>
  readonly body?: string
}

/** Distinct tokens per class, so no class is answered from one hot cache entry. */
const POOL_SIZE = 500
/** Oversize tokens are ~10 kB each; a few already defeat any caching. */
const OVERSIZE_POOL_SIZE = 20
/** The package's default maxTokenLength, which the oversize class must exceed. */
const MAX_TOKEN_LENGTH = 8192

/** The example server's users (examples/demo/users.ts). */
const FEATURES = {
  alice: ['todos', 'calendar', 'invoicing', 'admin'],
  bob: ['todos'],
} as const

/** `size` tokens from `make`, handed out round-robin across every connection. */
function pool(size: number, make: () => string): () => string {
  const items = Array.from({ length: size }, make)
  let next = 0
  return () => items[next++ % size] as string
}

const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')

/**
 * Every request class of the soak's mix. Valid tokens are those of real sessions, from
 * `sessions` (the server accepts no other); the refused ones are minted for the server's
 * `secret`, each with exactly one fault, valid otherwise for at least `seconds` (the run's
 * length) from now.
 */
export function requestClasses(
  secret: string,
  seconds: number,
  sessions: Pick<SessionPools, 'alice' | 'bob'>,
): RequestClass[] {
  // Valid for the whole run whatever its length, so none expires mid-run.
  const lifetime = seconds + 600
  const hourAgo = new Date(Date.now() - 3_600_000)
  const mint = (user: keyof typeof FEATURES, key: string, options: SignOptions = {}): string =>
    signToken({ sub: user, licensedFeatures: [...FEATURES[user]] }, key, {
      expiresIn: lifetime,
      jwtId: randomUUID(),
      ...options,
    })

  const { alice, bob } = sessions
  const expired = pool(POOL_SIZE, () =>
    mint('alice', secret, { currentDate: hourAgo, expiresIn: 60 }),
  )
  const notYetValid = pool(POOL_SIZE, () => mint('alice', secret, { notBefore: lifetime }))
  const wrongKey = pool(POOL_SIZE, () => mint('alice', generateSecret()))
  // bob's genuine signature over a payload that now claims alice's features.
  const tampered = pool(POOL_SIZE, () => {
    const [header, payload, signature] = mint('bob', secret).split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as object
    return `${header}.${encode({ ...claims, licensedFeatures: [...FEATURES.alice] })}.${signature}`
  })
  const unsigned = pool(POOL_SIZE, () => {
    const payload = mint('alice', secret).split('.')[1] as string
    return `${encode({ alg: 'none', typ: 'JWT' })}.${payload}.`
  })
  // Correctly signed, so only the size limit can refuse it.
  const oversize = pool(OVERSIZE_POOL_SIZE, () => {
    const token = signToken(
      { sub: 'alice', licensedFeatures: [...FEATURES.alice], padding: 'x'.repeat(7000) },
      secret,
      { expiresIn: lifetime, jwtId: randomUUID(), maxTokenLength: 2 * MAX_TOKEN_LENGTH },
    )
    if (token.length <= MAX_TOKEN_LENGTH) throw new Error('the oversize token is not oversize')
    return token
  })

  const bearer = (token: () => string) => () => ({ Authorization: `Bearer ${token()}` })
  const get = (
    name: string,
    path: string,
    expected: number,
    headers: () => Record<string, string>,
  ): RequestClass => ({ name, method: 'GET', path, expected, headers })
  const login = (name: string, body: string, expected: number): RequestClass => ({
    name,
    method: 'POST',
    path: '/login',
    expected,
    headers: () => ({ 'Content-Type': 'application/json' }),
    body,
  })

  return [
    get('health', '/health', 200, () => ({})),
    login('login alice', '{"username":"alice"}', 200),
    login('login unknown user', '{"username":"mallory"}', 401),
    login('login no username', '{}', 400),
    login('login invalid JSON', '{"username":', 400),
    ...['/me', '/todos', '/calendar', '/invoices'].map((path) =>
      get(`alice ${path}`, path, 200, bearer(alice)),
    ),
    get('bob /me', '/me', 200, bearer(bob)),
    get('bob /todos', '/todos', 200, bearer(bob)),
    get('bob /calendar', '/calendar', 403, bearer(bob)),
    get('bob /invoices', '/invoices', 403, bearer(bob)),
    get('expired', '/me', 401, bearer(expired)),
    get('not yet valid', '/me', 401, bearer(notYetValid)),
    get('tampered payload', '/invoices', 401, bearer(tampered)),
    get('wrong key', '/me', 401, bearer(wrongKey)),
    get('alg none', '/me', 401, bearer(unsigned)),
    get('oversize token', '/me', 401, bearer(oversize)),
    get('missing token', '/me', 401, () => ({})),
    get('other scheme', '/me', 401, () => ({ Authorization: 'Basic YWxpY2U6c2VjcmV0' })),
    // A valid token in each malformed header, so only the header's shape can refuse it.
    get('Bearer, no token', '/me', 400, () => ({ Authorization: 'Bearer' })),
    get('two tokens', '/me', 400, () => ({ Authorization: `Bearer ${alice()} ${alice()}` })),
    get('tab separator', '/me', 400, () => ({ Authorization: `Bearer\t${alice()}` })),
    get('comma list', '/me', 400, () => ({
      Authorization: `Bearer ${alice()}, Bearer ${alice()}`,
    })),
    // Two keys differing in case: autocannon writes both, as two header lines.
    get('two header lines', '/me', 400, () => ({
      Authorization: `Bearer ${alice()}`,
      authorization: `Bearer ${alice()}`,
    })),
  ]
}
