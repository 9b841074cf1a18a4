/**
 * The demo page at `/`: static files from `examples/public/` and the real browser
 * client, `dist/client/index.mjs`, at `/client.mjs`, all under a strict Content Security
 * Policy: scripts and styles only from files of this origin, no inline code at all.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Router } from 'express'
import type { RequestHandler, Response } from 'express'

/** Nothing but this origin's own files and requests; no inline script or style, no frames. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

const PUBLIC = join(__dirname, '..', 'public')

/**
 * The package's browser bundle, as `npm run build` writes it (`npm start` builds
 * first). In your own app it is `express-jwt-gate/client` in `node_modules`.
 */
export const CLIENT_BUNDLE = join(__dirname, '..', '..', 'dist', 'client', 'index.mjs')

/** The files the page is made of, and their types: nothing else in the folder is served. */
const FILES: Readonly<Record<string, readonly [file: string, type: string]>> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/demo.css': ['demo.css', 'text/css; charset=utf-8'],
  '/demo.mjs': ['demo.mjs', 'text/javascript; charset=utf-8'],
  '/favicon.svg': ['favicon.svg', 'image/svg+xml'],
}

/** On every response: the policy, and no guessing of content types or leaking of URLs. */
export function securityHeaders(): RequestHandler {
  return (_req, res, next) => {
    res.set({
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    })
    next()
  }
}

function send(res: Response, path: string, type: string): void {
  // Always revalidated: the demo is edited and rebuilt while it runs.
  res.set({ 'Content-Type': type, 'Cache-Control': 'no-cache' })
  res.sendFile(path)
}

/** `GET /`, the page's files, and `GET /client.mjs`. */
export function demoPage(): Router {
  const router = Router()
  for (const [route, [file, type]] of Object.entries(FILES)) {
    router.get(route, (_req, res) => send(res, join(PUBLIC, file), type))
  }
  router.get('/client.mjs', (_req, res) => {
    if (!existsSync(CLIENT_BUNDLE)) {
      res.status(404).json({
        error: 'not_built',
        error_description: 'dist/client/index.mjs is missing: run npm run build',
      })
      return
    }
    send(res, CLIENT_BUNDLE, 'text/javascript; charset=utf-8')
  })
  return router
}
