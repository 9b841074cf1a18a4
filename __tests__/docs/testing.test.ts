// docs/testing.md, run: each ```ts block of the page is in this file or in ./app.ts.
import request from 'supertest'
import {
  expiredToken,
  mintToken,
  noneAlgToken,
  notYetValidToken,
  tamperedToken,
  testKeyPair,
  testSecret,
  wrongKeyToken,
} from 'express-jwt-gate/testing'
import { createApp } from './app'

const app = createApp(testSecret)

test('a licensed user sees the invoices', async () => {
  const token = mintToken({ sub: 'alice', licensedFeatures: ['invoicing'] })
  const res = await request(app).get('/invoices').set('Authorization', `Bearer ${token}`)
  expect(res.status).toBe(200)
})

test('an expired token is refused', async () => {
  const token = expiredToken({ sub: 'alice', licensedFeatures: ['invoicing'] })
  const res = await request(app).get('/invoices').set('Authorization', `Bearer ${token}`)
  expect(res.status).toBe(401)
  expect(res.body.code).toBe('token_expired')
})

test('a user who adds a feature to their own token is refused', async () => {
  const forged = tamperedToken({ sub: 'alice', licensedFeatures: ['todos'] })
  const res = await request(app).get('/invoices').set('Authorization', `Bearer ${forged}`)
  expect(res.status).toBe(401)
  expect(res.body.code).toBe('signature_invalid')
})

test.each([
  [notYetValidToken, 'token_not_yet_valid'],
  [wrongKeyToken, 'signature_invalid'],
  [noneAlgToken, 'algorithm_not_allowed'],
])('%p is refused with %s', async (badToken, code) => {
  // Each takes the claims mintToken takes, and is wrong in that one respect only.
  const token = badToken({ sub: 'alice', licensedFeatures: ['invoicing'] })
  const res = await request(app).get('/invoices').set('Authorization', `Bearer ${token}`)
  expect(res.body.code).toBe(code)
})

test('an app that verifies with a public key', async () => {
  const { publicKey } = testKeyPair('ES256')
  const esApp = createApp(publicKey, { algorithms: ['ES256'] })
  const token = mintToken({ licensedFeatures: ['invoicing'] }, { key: publicKey })
  expect(
    (await request(esApp).get('/invoices').set('Authorization', `Bearer ${token}`)).status,
  ).toBe(200)
})

test('a fixed clock', async () => {
  const now = new Date('2030-01-01T00:00:00Z')
  const frozen = createApp(testSecret, { currentDate: now })
  const token = mintToken({ licensedFeatures: ['invoicing'] }, { now, expiresIn: '5m' })
  expect(
    (await request(frozen).get('/invoices').set('Authorization', `Bearer ${token}`)).status,
  ).toBe(200)
})
