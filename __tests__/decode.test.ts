import { decodeToken, InvalidTokenError, signToken } from 'express-jwt-gate'
import { b64, createToken, NOW, SECRET, thrown } from './helpers/tokens'

describe('decodeToken', () => {
  test('returns header and payload without checking signature or time', () => {
    const token = createToken({
      payload: { sub: 'alice', exp: NOW - 1_000_000 },
      secret: 'x'.repeat(40),
    })
    expect(decodeToken(token)).toEqual({
      header: { alg: 'HS256', typ: 'JWT' },
      payload: { sub: 'alice', exp: NOW - 1_000_000 },
    })
  })

  test('reads what signToken wrote', () => {
    const { header, payload } = decodeToken(signToken({ userId: 7 }, SECRET, { keyId: 'k1' }))
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'k1' })
    expect(payload.userId).toBe(7)
  })

  test('does not refuse a crit header: it only reads', () => {
    expect(decodeToken(createToken({ header: { alg: 'HS256', crit: ['x'] } })).header.crit).toEqual(
      ['x'],
    )
  })

  test('decodes a payload larger than the reused buffer keeps, then small ones as before', () => {
    const blob = 'é'.repeat(100_000) // 200,000 UTF-8 bytes: past the 64 KiB the decoder keeps
    const huge = createToken({ payload: { blob } })
    expect(decodeToken(huge).payload.blob).toBe(blob)
    const badUtf8 = `${b64({ alg: 'HS256' })}.${Buffer.concat([Buffer.from('{"a":"'), Buffer.alloc(70_000, 0xff), Buffer.from('"}')]).toString('base64url')}.c2ln`
    expect(thrown(() => decodeToken(badUtf8)).message).toMatch(/payload is not valid UTF-8/)
    expect(decodeToken(createToken({ payload: { sub: 'a' } })).payload).toEqual({ sub: 'a' })
  })

  test.each([
    ['not a string', 42],
    ['two segments', 'a.b'],
    ['padding', `${b64({ alg: 'HS256' })}=.${b64({})}.sig`],
    ['a JSON array header', `${b64('[]')}.${b64({})}.c2ln`],
    ['a non-JSON payload', `${b64({ alg: 'HS256' })}.${b64('nope')}.c2ln`],
    ['a header without alg', `${b64({ typ: 'JWT' })}.${b64({})}.c2ln`],
  ])('throws the malformed-token error for %s', (_name, token) => {
    const err = thrown(() => decodeToken(token as string))
    expect(err).toBeInstanceOf(InvalidTokenError)
    expect(['token_malformed', 'header_invalid']).toContain(err.code)
    expect(err.status).toBe(401)
  })
})
