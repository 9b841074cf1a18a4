// @ts-check
/* global document, location */
/**
 * The demo page's script: the real `express-jwt-gate/client` (served at /client.mjs)
 * against the example API. Two clients: yours, whose refresh token lives in an HttpOnly
 * cookie (cookie mode), and the admin console's, signed in as alice through the JSON
 * endpoints, whose tokens live in its own closure. Tokens are never put in storage,
 * never in a URL, never in the log (which shortens them).
 */
import { createAuthClient, decodeToken } from './client.mjs'

/** @typedef {import('./client.mjs').AuthClient} AuthClient */
/** @typedef {import('./client.mjs').FetchFunction} FetchFunction */

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
function $(id) {
  const element = document.getElementById(id)
  if (element === null) throw new Error(`#${id} is missing from the page`)
  return element
}

/**
 * @param {string} id
 * @returns {HTMLButtonElement}
 */
const button = (id) => /** @type {HTMLButtonElement} */ ($(id))

/**
 * @param {string} id
 * @returns {HTMLSelectElement}
 */
const select = (id) => /** @type {HTMLSelectElement} */ ($(id))

/**
 * An element with text, built without HTML strings: nothing from the network is ever
 * parsed as markup.
 * @param {string} tag
 * @param {string} [text]
 * @param {string} [className]
 * @returns {HTMLElement}
 */
function el(tag, text, className) {
  const element = document.createElement(tag)
  if (text !== undefined) element.textContent = text
  if (className !== undefined) element.className = className
  return element
}

/**
 * A token as the log shows it: enough to tell two apart, too little to use.
 * @param {string} token
 */
const shorten = (token) => `${token.slice(0, 12)}…${token.slice(-6)}`

/**
 * Set a status line, and whether it reports success or a refusal.
 * @param {string} id
 * @param {string} text
 * @param {'ok' | 'refused' | undefined} [tone]
 */
function status(id, text, tone) {
  const line = $(id)
  line.textContent = text
  line.classList.toggle('ok', tone === 'ok')
  line.classList.toggle('refused', tone === 'refused')
}

// --- The log of what went over the wire -----------------------------------------------

const log = $('wire-log')
/** @type {HTMLElement | undefined} */
let currentAction

/**
 * Start a group in the log: the requests that one click causes.
 * @param {string} title
 */
function beginAction(title) {
  const item = el('li', undefined, 'action')
  item.append(el('h3', title), el('ol', undefined, 'exchanges'))
  log.append(item)
  currentAction = item
}

/**
 * A request body as the log shows it: a refresh token, if any, replaced by a label.
 * @param {unknown} body
 */
function bodyText(body) {
  if (typeof body !== 'string' || body === '') return ''
  return body.replace(/("(?:refresh_token|token)":\s*")[^"]*"/g, '$1(refresh token)"')
}

/**
 * What the log says about an answer's body.
 * @param {Record<string, unknown> | undefined} body
 * @param {string} path
 */
function answerText(body, path) {
  if (body === undefined) return ''
  if (typeof body.access_token === 'string') {
    const where =
      typeof body.refresh_token === 'string'
        ? 'refresh token in the body'
        : 'refresh token in the HttpOnly cookie'
    return `new access token ${shorten(body.access_token)}, ${where}`
  }
  if (typeof body.code === 'string') return `${body.code} (${String(body.error_description)})`
  if (typeof body.error === 'string') return `${body.error} (${String(body.error_description)})`
  if (path === '/browser/logout' || path === '/logout') return 'session ended'
  const json = JSON.stringify(body)
  return json.length > 90 ? `${json.slice(0, 89)}…` : json
}

/**
 * A `fetch` that writes each request and its answer into the log.
 * @param {string} actor who sends it, as the log names them
 * @returns {FetchFunction}
 */
function wire(actor) {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href)
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET')
    const headers = new Headers(init?.headers)
    const entry = el('li', undefined, 'exchange')
    Object.assign(entry.dataset, { actor, method, path: url.pathname })
    const request = el('p')
    request.append(el('span', actor, 'actor'), ' ', el('code', `${method} ${url.pathname}`))
    const authorization = headers.get('Authorization')
    if (authorization !== null) {
      request.append(' ', el('code', `Bearer ${shorten(authorization.slice(7))}`))
    }
    const body = bodyText(init?.body)
    if (body !== '') request.append(' ', el('code', body))
    entry.append(request)
    ;(currentAction?.querySelector('ol') ?? log).append(entry)
    try {
      const response = await fetch(input, init)
      /** @type {Record<string, unknown> | undefined} */
      const answer = await response
        .clone()
        .json()
        .catch(() => undefined)
      const code = typeof answer?.code === 'string' ? answer.code : ''
      Object.assign(entry.dataset, { status: String(response.status), code })
      const line = el('p')
      line.append(
        el('span', '', 'actor'),
        ' ',
        el('span', `← ${response.status}`, `code-${String(response.status)[0]}xx`),
        ' ',
        answerText(answer, url.pathname),
      )
      entry.append(line)
      const challenge = response.headers.get('WWW-Authenticate')
      if (challenge !== null) {
        entry.append(el('p', `WWW-Authenticate: ${challenge}`, 'challenge'))
      }
      // The log's own scroll only: the page stays where the reader is.
      const panel = log.parentElement
      if (panel !== null) panel.scrollTop = panel.scrollHeight
      return response
    } catch (error) {
      entry.dataset.status = 'failed'
      entry.append(el('p', `✗ ${String(error)}`, 'code-failed'))
      throw error
    }
  }
}

const json = { 'Content-Type': 'application/json' }

// --- The token panel ---------------------------------------------------------------------

/** @type {string | undefined} */
let shownToken
/** @type {string[]} */
let shownFeatures = []

/**
 * The features a token claims, for display only: the server decides.
 * @param {string} token
 * @returns {string[]}
 */
function featuresOf(token) {
  const features = decodeToken(token).payload.licensedFeatures
  return Array.isArray(features) ? features.map(String) : []
}

/**
 * A `<time>` for a NumericDate claim: the exact instant in `datetime`, local time as text.
 * @param {string} id
 * @param {unknown} seconds
 */
function showTime(id, seconds) {
  const time = /** @type {HTMLTimeElement} */ ($(id))
  if (typeof seconds !== 'number') {
    time.dateTime = ''
    time.textContent = 'not set'
    return
  }
  const date = new Date(seconds * 1000)
  time.dateTime = date.toISOString()
  time.textContent = date.toLocaleString()
}

/**
 * Show `token` decoded beside its three parts (or nothing, after a logout).
 * @param {string | undefined} token
 * @param {string} [why] what just happened, when the token is a new one
 */
function showToken(token, why) {
  $('token-empty').hidden = token !== undefined
  $('token-view').hidden = token === undefined
  button('tamper').disabled = token === undefined
  if (token === undefined) {
    shownToken = undefined
    shownFeatures = []
    return
  }
  if (token === shownToken) return
  const [header = '', payload = '', signature = ''] = token.split('.')
  $('jwt-header').textContent = header
  $('jwt-payload').textContent = payload
  $('jwt-signature').textContent = signature
  const decoded = decodeToken(token)
  $('decoded-header').textContent = JSON.stringify(decoded.header, null, 2)
  $('decoded-payload').textContent = JSON.stringify(decoded.payload, null, 2)
  showTime('token-iat', decoded.payload.iat)
  showTime('token-exp', decoded.payload.exp)
  const features = featuresOf(token)
  const added = shownToken === undefined ? [] : features.filter((f) => !shownFeatures.includes(f))
  const chips = $('token-features')
  chips.replaceChildren(
    ...features.map((f) => el('span', f, added.includes(f) ? 'feature added' : 'feature')),
  )
  const note = why === undefined ? '' : why
  $('token-note').textContent =
    added.length > 0 ? `${note} It now licenses ${added.join(', ')}.`.trim() : note
  shownToken = token
  shownFeatures = features
}

// --- Your session: cookie mode -----------------------------------------------------------

/** The last token of a session you logged out of, to show that it is refused. */
/** @type {string | undefined} */
let loggedOutToken
/** True while the page looks for a session left by an earlier visit. */
let restoring = false

const auth = createAuthClient({
  refreshUrl: '/browser/token',
  logoutUrl: '/browser/logout',
  // Cookie mode: the refresh token is in an HttpOnly cookie the client never sees.
  credentials: 'same-origin',
  fetch: wire('you'),
  onLoggedOut: (reason) => {
    if (restoring) return
    showToken(undefined)
    signedIn(undefined)
    status('session-status', `Signed out: the server refused the refresh (${reason}).`, 'refused')
  },
})

/**
 * Reflect who is signed in on the buttons.
 * @param {string | undefined} who
 */
function signedIn(who) {
  button('logout').disabled = who === undefined
  document.body.dataset.user = who ?? ''
}

/** The subject of your current access token, for display. */
function whoAmI() {
  const token = auth.token()
  return token === undefined ? undefined : String(decodeToken(token).payload.sub)
}

/**
 * A new session for `username`, ending the current one first: one session per tab.
 * @param {string} username
 */
async function logIn(username) {
  beginAction(`Log in as ${username}`)
  if (auth.token() !== undefined) await auth.logout()
  const response = await wire('you')('/browser/login', {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ username }),
  })
  if (!response.ok) {
    status('session-status', `Login refused: ${response.status}.`, 'refused')
    return
  }
  auth.setTokens(await response.json())
  loggedOutToken = undefined
  button('replay').disabled = true
  status('logout-status', '')
  signedIn(username)
  showToken(auth.token(), `A new session for ${username}.`)
  status('session-status', `Signed in as ${username}.`, 'ok')
}

/**
 * A session left by an earlier visit. The page cannot see the HttpOnly cookie, so it
 * asks: in cookie mode the client starts with a refresh, and the browser sends the
 * cookie if it has one.
 */
async function restore() {
  beginAction('Page load: is there a session to restore?')
  restoring = true
  let response
  try {
    response = await auth.fetch('/me')
  } finally {
    restoring = false
  }
  if (!response.ok) {
    status('session-status', 'Not signed in.')
    return
  }
  const who = whoAmI()
  signedIn(who)
  showToken(
    auth.token(),
    'Restored: the cookie outlived the page, and one refresh gave a new token.',
  )
  status('session-status', `Signed in as ${who} (session restored from the cookie).`, 'ok')
}

/**
 * Call a route with your token; the client refreshes and retries once by itself when
 * the answer is 401 `token_stale` or `token_expired`.
 * @param {string} path
 */
async function call(path) {
  beginAction(`GET ${path} as ${whoAmI() ?? 'nobody'}`)
  const before = auth.token()
  const response = await auth.fetch(path)
  /** @type {{ code?: string } | undefined} */
  const body = await response.json().catch(() => undefined)
  const after = auth.token()
  const refreshed = after !== undefined && after !== before
  if (refreshed) {
    showToken(
      after,
      before === undefined
        ? 'A new token, from the refresh cookie.'
        : 'A new token: the client refreshed once, by itself, and retried.',
    )
  }
  const detail = response.ok ? 'OK' : (body?.code ?? 'refused')
  status(
    'api-status',
    `${path}: ${response.status} ${detail}${refreshed ? ' (after one refresh)' : ''}.`,
    response.ok ? 'ok' : 'refused',
  )
}

/**
 * Standard base64url of UTF-8 text, as a token's parts are written.
 * @param {string} text
 */
function base64url(text) {
  const bytes = new TextEncoder().encode(text)
  const binary = Array.from(bytes, (byte) => String.fromCharCode(byte)).join('')
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Add a feature to the payload, keep the signature, and send it. */
async function tamper() {
  const token = auth.token()
  if (token === undefined) return
  beginAction('Tamper: add extraPremiumFeature, keep the signature')
  const [header = '', , signature = ''] = token.split('.')
  const { payload } = decodeToken(token)
  const forged = { ...payload, licensedFeatures: [...featuresOf(token), 'extraPremiumFeature'] }
  const forgedPayload = base64url(JSON.stringify(forged))
  $('forged-header').textContent = header
  $('forged-payload').textContent = forgedPayload
  $('forged-signature').textContent = signature
  $('forged-view').hidden = false
  // Sent with its own Authorization header, which the client leaves as it is.
  const response = await wire('you')('/me', {
    headers: { Authorization: `Bearer ${header}.${forgedPayload}.${signature}` },
  })
  /** @type {{ code?: string } | undefined} */
  const body = await response.json().catch(() => undefined)
  status(
    'tamper-status',
    `${response.status} ${body?.code ?? ''}: the server recomputed the signature over the edited payload, and it did not match.`,
    response.ok ? 'ok' : 'refused',
  )
}

async function logOut() {
  beginAction(`Log out ${whoAmI() ?? ''}`.trim())
  loggedOutToken = auth.token()
  await auth.logout()
  showToken(undefined)
  signedIn(undefined)
  button('replay').disabled = loggedOutToken === undefined
  status('session-status', 'Not signed in.')
  status('logout-status', 'Logged out: the session is over on the server, the cookie cleared.')
}

/** The logged-out access token, and a refresh without the cookie the server cleared. */
async function replay() {
  if (loggedOutToken === undefined) return
  beginAction('Send the old tokens again')
  const send = wire('you')
  const access = await send('/me', { headers: { Authorization: `Bearer ${loggedOutToken}` } })
  /** @type {{ code?: string } | undefined} */
  const accessBody = await access.json().catch(() => undefined)
  const refresh = await send('/browser/token', {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ grant_type: 'refresh_token' }),
  })
  status(
    'logout-status',
    `Old access token: ${access.status} ${accessBody?.code ?? ''}. Refresh: ${refresh.status}, no cookie left to send, and its session is ended anyway.`,
    'refused',
  )
}

// --- The admin console: a second client, JSON mode ---------------------------------------

/** @type {AuthClient | undefined} */
let admin

async function openAdmin() {
  beginAction('Admin console: log in as alice')
  const send = wire('admin')
  const client = createAuthClient({
    refreshUrl: '/token',
    logoutUrl: '/logout',
    fetch: send,
    onLoggedOut: (reason) => status('admin-status', `Console signed out (${reason}).`, 'refused'),
  })
  const response = await send('/login', {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ username: 'alice' }),
  })
  if (!response.ok) {
    status('admin-status', `Console login refused: ${response.status}.`, 'refused')
    return
  }
  client.setTokens(await response.json())
  admin = client
  for (const id of ['admin-user', 'admin-feature', 'admin-grant', 'admin-revoke']) {
    ;/** @type {HTMLButtonElement | HTMLSelectElement} */ ($(id)).disabled = false
  }
  button('admin-open').disabled = true
  status('admin-status', 'Console open, signed in as alice (feature admin).', 'ok')
}

/**
 * Grant or take back the selected feature of the selected user.
 * @param {'grant' | 'revoke'} verb
 */
async function changeFeatures(verb) {
  if (admin === undefined) return
  const user = select('admin-user').value
  const feature = select('admin-feature').value
  beginAction(`Admin: ${verb === 'grant' ? 'grant' : 'take back'} ${user} ${feature}`)
  const response = await admin.fetch(`/admin/users/${encodeURIComponent(user)}/features`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ [verb]: feature }),
  })
  /** @type {{ licensedFeatures?: string[], code?: string } | undefined} */
  const body = await response.json().catch(() => undefined)
  if (!response.ok) {
    status('admin-status', `Refused: ${response.status} ${body?.code ?? ''}.`, 'refused')
    return
  }
  status(
    'admin-status',
    `${user} now has ${(body?.licensedFeatures ?? []).join(', ')}. The server called claimsChanged('${user}'): ${user}'s tokens so far are stale. Call the API as ${user} to see the refresh.`,
    'ok',
  )
}

// --- Wiring ------------------------------------------------------------------------------

/** Count finished actions on the page, so that a reader (or a test) can wait for one. */
function finished() {
  document.body.dataset.actions = String(Number(document.body.dataset.actions ?? '0') + 1)
}

/**
 * Run `action` on click; a failure shows on the page, never only in the console.
 * @param {string} id
 * @param {() => Promise<void>} action
 */
function onClick(id, action) {
  button(id).addEventListener('click', () => {
    action()
      .catch((error) => status('session-status', `Something failed: ${String(error)}`, 'refused'))
      .finally(finished)
  })
}

onClick('login-alice', () => logIn('alice'))
onClick('login-bob', () => logIn('bob'))
for (const route of ['me', 'todos', 'calendar', 'invoices']) {
  onClick(`call-${route}`, () => call(`/${route}`))
}
onClick('tamper', tamper)
onClick('admin-open', openAdmin)
onClick('admin-grant', () => changeFeatures('grant'))
onClick('admin-revoke', () => changeFeatures('revoke'))
onClick('logout', logOut)
onClick('replay', replay)

restore()
  .catch(() => status('session-status', 'Not signed in.'))
  .finally(() => {
    document.body.dataset.ready = 'yes'
  })
