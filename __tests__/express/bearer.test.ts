import { InvalidRequestError } from 'express-jwt-gate'
import { countAuthorizationLines, parseAuthorization } from '../../lib/express/bearer'
import { thrown } from '../helpers/tokens'

describe('parseAuthorization', () => {
  test.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER abc', 'abc'],
    ['BeArEr abc', 'abc'],
    ['Bearer    abc', 'abc'],
    ['  Bearer abc  ', 'abc'],
    ['\tBearer abc\t', 'abc'],
    ['Bearer a-b.c_d~e+f/g==', 'a-b.c_d~e+f/g=='],
  ])('%j gives the token %j', (value, token) => {
    expect(parseAuthorization(value)).toBe(token)
  })

  test.each([
    undefined,
    '',
    '   ',
    'Basic dXNlcjpwYXNz',
    'Bearerx abc',
    'Token abc',
    'Digest a=1',
    ',Bearer abc',
    '"Bearer" abc',
  ])('%j is no credentials for this scheme', (value) => {
    expect(parseAuthorization(value)).toBeUndefined()
  })

  test.each([
    'Bearer',
    'bearer',
    'Bearer ',
    'Bearer\tabc',
    'Bearer abc def',
    'Bearer abc, Basic xyz',
    'Bearer abc,def',
    'Bearer a=b',
    'Bearer "abc"',
    'Bearer abc\u00e9',
    'Bearer ==',
    'Bearer,abc',
  ])('%j is a malformed Bearer credential (400)', (value) => {
    const err = thrown(() => parseAuthorization(value))
    expect(err).toBeInstanceOf(InvalidRequestError)
    expect(err.message).toBe('malformed Bearer credentials')
  })

  test('more than one header line is refused, whatever the first says', () => {
    const err = thrown(() => parseAuthorization('Bearer abc', 2))
    expect(err).toBeInstanceOf(InvalidRequestError)
    expect(err.message).toBe('more than one Authorization header')
  })

  test('counts Authorization lines in raw headers, in any case, and only names', () => {
    expect(countAuthorizationLines([])).toBe(0)
    expect(countAuthorizationLines(['Host', 'x', 'Authorization', 'Bearer a'])).toBe(1)
    expect(
      countAuthorizationLines([
        'authorization',
        'a',
        'X-Other',
        'Authorization',
        'AUTHORIZATION',
        'b',
      ]),
    ).toBe(2)
  })
})
