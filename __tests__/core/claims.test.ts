import { verifyToken } from 'express-jwt-gate'
import type { VerifyOptions } from 'express-jwt-gate'
import { b64, createToken, NOW, NOW_DATE, SECRET, thrown } from '../helpers/tokens'

/** Verify a token carrying `payload` at the frozen NOW; the failure code, or 'ok'. */
function check(payload: object | string, options: VerifyOptions = {}): string {
  const token = createToken({ payload: typeof payload === 'string' ? b64(payload) : payload })
  try {
    verifyToken(token, SECRET, { currentDate: NOW_DATE, ...options })
    return 'ok'
  } catch (err) {
    return (err as { code: string }).code
  }
}

describe('exp', () => {
  test('is required by default', () => {
    expect(check({ sub: 'alice' })).toBe('claim_missing')
    expect(thrown(() => verifyToken(createToken({ payload: {} }), SECRET)).message).toBe(
      'exp claim is required',
    )
  })

  test('can be made optional explicitly', () => {
    expect(check({ sub: 'alice' }, { requiredClaims: [] })).toBe('ok')
  })

  test('now must be before exp: exp === now is expired (RFC 7519 §4.1.4)', () => {
    expect(check({ exp: NOW + 1 })).toBe('ok')
    expect(check({ exp: NOW })).toBe('token_expired')
    expect(check({ exp: NOW - 1 })).toBe('token_expired')
    expect(check({ exp: NOW + 0.5 })).toBe('ok')
  })

  test('clockTolerance extends it', () => {
    expect(check({ exp: NOW - 5 }, { clockTolerance: 5 })).toBe('token_expired')
    expect(check({ exp: NOW - 4 }, { clockTolerance: 5 })).toBe('ok')
    expect(check({ exp: NOW - 59 }, { clockTolerance: '1m' })).toBe('ok')
  })

  test.each([
    ['a string', { exp: String(NOW + 60) }],
    ['null', { exp: null }],
    ['a boolean', { exp: true }],
    ['an array', { exp: [NOW + 60] }],
  ])('%s is invalid', (_name, payload) => {
    expect(check(payload)).toBe('claim_invalid')
  })

  test('1e400 parses to Infinity and is not a NumericDate', () => {
    expect(check('{"exp":1e400}')).toBe('claim_invalid')
    expect(check('{"exp":-1e400}')).toBe('claim_invalid')
  })

  test('reads the real clock when no currentDate is given', () => {
    const realNow = Math.floor(Date.now() / 1000)
    const fresh = createToken({ payload: { exp: realNow + 60 } })
    const stale = createToken({ payload: { exp: realNow - 60 } })
    expect(verifyToken(fresh, SECRET).exp).toBe(realNow + 60)
    expect(thrown(() => verifyToken(stale, SECRET)).code).toBe('token_expired')
  })

  test('follows a frozen Date.now (jest fake timers)', () => {
    jest.useFakeTimers({ now: (NOW + 100) * 1000 })
    try {
      const token = createToken({ payload: { exp: NOW + 100 } })
      expect(thrown(() => verifyToken(token, SECRET)).code).toBe('token_expired')
      jest.setSystemTime((NOW + 99) * 1000)
      expect(verifyToken(token, SECRET).exp).toBe(NOW + 100)
    } finally {
      jest.useRealTimers()
    }
  })
})

describe('nbf', () => {
  const exp = NOW + 600
  test('refused while now < nbf', () => {
    expect(check({ exp, nbf: NOW + 1 })).toBe('token_not_yet_valid')
    expect(check({ exp, nbf: NOW })).toBe('ok')
    expect(check({ exp, nbf: NOW - 1 })).toBe('ok')
  })
  test('clockTolerance applies', () => {
    expect(check({ exp, nbf: NOW + 5 }, { clockTolerance: 5 })).toBe('ok')
    expect(check({ exp, nbf: NOW + 6 }, { clockTolerance: 5 })).toBe('token_not_yet_valid')
  })
  test('must be a finite number', () => {
    expect(check({ exp, nbf: 'soon' })).toBe('claim_invalid')
    expect(check(`{"exp":${exp},"nbf":1e400}`)).toBe('claim_invalid')
  })
})

describe('iat', () => {
  const exp = NOW + 600
  test('refused when in the future', () => {
    expect(check({ exp, iat: NOW + 1 })).toBe('claim_invalid')
    expect(check({ exp, iat: NOW })).toBe('ok')
    expect(check({ exp, iat: NOW + 3 }, { clockTolerance: 3 })).toBe('ok')
  })
  test('must be a finite number', () => {
    expect(check({ exp, iat: '0' })).toBe('claim_invalid')
    expect(check(`{"exp":${exp},"iat":-1e400}`)).toBe('claim_invalid')
  })
})

describe('maxAge', () => {
  const exp = NOW + 600
  test('requires iat', () => {
    expect(check({ exp }, { maxAge: 60 })).toBe('claim_missing')
    expect(
      thrown(() => verifyToken(createToken({ payload: { exp } }), SECRET, { maxAge: 60 })).message,
    ).toBe('iat claim is required when maxAge is set')
  })
  test('refuses once now > iat + maxAge', () => {
    expect(check({ exp, iat: NOW - 60 }, { maxAge: 60 })).toBe('ok')
    expect(check({ exp, iat: NOW - 61 }, { maxAge: 60 })).toBe('token_expired')
    expect(check({ exp, iat: NOW - 61 }, { maxAge: '1m', clockTolerance: 1 })).toBe('ok')
    expect(check({ exp, iat: NOW - 3600 }, { maxAge: '2h' })).toBe('ok')
  })
})

describe('aud', () => {
  const exp = NOW + 600
  test('is not checked unless audience is configured', () => {
    expect(check({ exp, aud: 'other' })).toBe('ok')
    expect(check({ exp, aud: 42 })).toBe('ok')
  })
  test('a string or an array must contain one configured value', () => {
    expect(check({ exp, aud: 'api' }, { audience: 'api' })).toBe('ok')
    expect(check({ exp, aud: ['web', 'api'] }, { audience: 'api' })).toBe('ok')
    expect(check({ exp, aud: 'api' }, { audience: ['web', 'api'] })).toBe('ok')
    expect(check({ exp, aud: 'other' }, { audience: 'api' })).toBe('claim_invalid')
    expect(check({ exp, aud: [] }, { audience: 'api' })).toBe('claim_invalid')
    expect(check({ exp, aud: 'API' }, { audience: 'api' })).toBe('claim_invalid')
    expect(check({ exp, aud: 'apis' }, { audience: 'api' })).toBe('claim_invalid')
  })
  test('is refused when missing or of the wrong type', () => {
    expect(check({ exp }, { audience: 'api' })).toBe('claim_missing')
    expect(check({ exp, aud: 7 }, { audience: 'api' })).toBe('claim_invalid')
    expect(check({ exp, aud: ['api', 7] }, { audience: 'api' })).toBe('claim_invalid')
    expect(check({ exp, aud: { api: true } }, { audience: 'api' })).toBe('claim_invalid')
  })
})

describe('iss and sub', () => {
  const exp = NOW + 600
  test('iss must match one configured value exactly', () => {
    expect(check({ exp, iss: 'https://a' }, { issuer: ['https://a', 'https://b'] })).toBe('ok')
    expect(check({ exp, iss: 'https://a/' }, { issuer: 'https://a' })).toBe('claim_invalid')
    expect(check({ exp, iss: ['https://a'] }, { issuer: 'https://a' })).toBe('claim_invalid')
    expect(check({ exp }, { issuer: 'https://a' })).toBe('claim_missing')
  })
  test('sub must match exactly', () => {
    expect(check({ exp, sub: 'alice' }, { subject: 'alice' })).toBe('ok')
    expect(check({ exp, sub: 'Alice' }, { subject: 'alice' })).toBe('claim_invalid')
    expect(check({ exp, sub: 1 }, { subject: '1' })).toBe('claim_invalid')
    expect(check({ exp }, { subject: 'alice' })).toBe('claim_missing')
  })
})

describe('requiredClaims', () => {
  test('each named claim must be an own property', () => {
    const options = { requiredClaims: ['exp', 'jti', 'userId'] }
    expect(check({ exp: NOW + 60, jti: 'x', userId: 0 }, options)).toBe('ok')
    expect(check({ exp: NOW + 60, jti: 'x' }, options)).toBe('claim_missing')
    expect(
      thrown(() =>
        verifyToken(createToken({ payload: { exp: NOW + 60 } }), SECRET, {
          currentDate: NOW_DATE,
          requiredClaims: ['exp', 'jti'],
        }),
      ).message,
    ).toBe('jti claim is required')
  })
})
