/**
 * The two session walkthroughs of docs/sessions.md as code, against a running example
 * API: `npm start` in one terminal, then in another
 * `node --require ts-node/register/transpile-only examples/walkthrough.ts [url]`.
 *
 * (a) bob buys invoicing: an admin grants it, bob's token is refused as stale, his
 *     client refreshes by itself and the new token carries the feature.
 * (b) a stolen refresh token: the thief uses it after bob refreshed, and both are
 *     refused; bob's session is over.
 */
import { createAuthClient, tokenFeatures } from 'express-jwt-gate/client'
import type { TokenResponse } from 'express-jwt-gate/client'

/** One step: what was sent, and what came back. */
export interface Step {
  readonly step: string
  readonly status: number
  readonly code?: string | undefined
  readonly features?: readonly string[]
}

/** The grace of `createSessions` (its default): a retired refresh token may come back within it. */
export const REUSE_GRACE_SECONDS = 10

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000))

/** `POST /login` for `username`: the RFC 6749 token response, both tokens in the body. */
async function logIn(api: string, username: string): Promise<TokenResponse> {
  const res = await fetch(`${api}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username }),
  })
  if (!res.ok) throw new Error(`login as ${username}: ${res.status}`)
  return (await res.json()) as TokenResponse
}

/** `POST /token` with a refresh token, form-encoded as RFC 6749 §6 has it. */
async function refreshWith(api: string, refreshToken: string) {
  const res = await fetch(`${api}/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  })
  return { status: res.status, body: (await res.json()) as TokenResponse & { code?: string } }
}

/** A list of steps, each also printed as it happens. */
function recorder(say: (line: string) => void) {
  const steps: Step[] = []
  const note = (step: Step) => {
    steps.push(step)
    say(JSON.stringify(step))
  }
  return { steps, note }
}

const codeOf = async (res: Response) => ((await res.json()) as { code?: string }).code

/** (a) bob buys invoicing. `say` prints each step; the steps are also returned. */
export async function bobBuysInvoicing(
  api: string,
  say: (line: string) => void = console.log,
): Promise<Step[]> {
  const { steps, note } = recorder(say)

  // bob's client: it sends his access token, and refreshes by itself when it is stale.
  const bob = createAuthClient({ refreshUrl: `${api}/token`, logoutUrl: `${api}/logout` })
  bob.setTokens(await logIn(api, 'bob'))
  const before = await bob.fetch(`${api}/invoices`)
  note({ step: 'bob GET /invoices', status: before.status, code: await codeOf(before) })

  // The admin (alice, feature `admin`) grants it; the server calls claimsChanged('bob').
  const admin = createAuthClient({ refreshUrl: `${api}/token`, logoutUrl: `${api}/logout` })
  admin.setTokens(await logIn(api, 'alice'))
  const granted = await admin.fetch(`${api}/admin/users/bob/features`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ grant: 'invoicing' }),
  })
  note({ step: 'admin grants bob invoicing', status: granted.status })

  // bob's current token is now stale: refused, though it has not expired.
  const stale = bob.token() as string
  const refused = await fetch(`${api}/invoices`, { headers: { Authorization: `Bearer ${stale}` } })
  note({ step: 'the old token', status: refused.status, code: await codeOf(refused) })

  // Through the client: 401 token_stale, one refresh, one retry, with the new token.
  const after = await bob.fetch(`${api}/invoices`)
  const fresh = bob.token() as string
  note({ step: 'bob GET /invoices', status: after.status, features: tokenFeatures(fresh) })

  await Promise.all([bob.logout(), admin.logout()])
  return steps
}

/**
 * (b) a stolen refresh token. `wait(seconds)` lets a test move a clock instead of
 * sleeping through the grace period.
 */
export async function stolenRefreshToken(
  api: string,
  say: (line: string) => void = console.log,
  wait: (seconds: number) => unknown = sleep,
): Promise<Step[]> {
  const { steps, note } = recorder(say)

  const login = await logIn(api, 'bob')
  const stolen = login.refresh_token as string // a copy leaks: a log, a backup, malware

  // bob refreshes as usual: his refresh token rotates, the stolen copy is now retired.
  const owner = await refreshWith(api, stolen)
  note({ step: 'bob refreshes', status: owner.status })

  // Past the grace in which a retired token may come back (a retry after a lost answer):
  await wait(REUSE_GRACE_SECONDS + 1)
  const thief = await refreshWith(api, stolen)
  note({ step: 'the thief refreshes', status: thief.status, code: thief.body.code })

  // Reuse ended the whole session: bob's own new tokens are refused too.
  const again = await refreshWith(api, owner.body.refresh_token as string)
  note({ step: 'bob refreshes again', status: again.status, code: again.body.code })
  const me = await fetch(`${api}/me`, {
    headers: { Authorization: `Bearer ${owner.body.access_token}` },
  })
  note({ step: "bob's access token", status: me.status, code: await codeOf(me) })
  return steps
}

if (require.main === module) {
  const api = process.argv[2] ?? 'http://127.0.0.1:3000'
  console.log('(a) bob buys invoicing')
  bobBuysInvoicing(api)
    .then(() => console.log('(b) a stolen refresh token (waits out the 10-second grace)'))
    .then(() => stolenRefreshToken(api))
    .catch((error: unknown) => {
      console.error((error as Error).message)
      process.exitCode = 1
    })
}
