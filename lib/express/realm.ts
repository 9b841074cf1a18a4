import { setupError } from '../core/errors'

/**
 * The realm `jwtAuth` was configured with, per request, so the guards after it name
 * the same realm in their 403 challenges. A WeakMap: nothing is added to `req`, and
 * an entry goes when its request does.
 */
const realms = new WeakMap<object, string>()

export function rememberRealm(req: object, realm: string): void {
  realms.set(req, realm)
}

export function realmOf(req: object): string | undefined {
  return realms.get(req)
}

/**
 * A realm is sent in a response header: printable ASCII only, so no configuration can
 * break the header or inject another one.
 */
export function readRealm(value: unknown): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || !/^[\x20-\x7e]+$/.test(value)) {
    throw setupError('realm', 'realm must be a non-empty string of printable ASCII characters')
  }
  return value
}
