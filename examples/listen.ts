import type { Express } from 'express'

/**
 * Listen on PORT (default 3000), bound to HOST (default 127.0.0.1: loopback only
 * unless you say otherwise), and print the URL. Call it only when the example file
 * is run directly, so tests can import its `app` without a server.
 */
export function listen(app: Express, onListening: (url: string) => void = () => {}): void {
  const host = process.env.HOST ?? '127.0.0.1'
  const server = app.listen(Number(process.env.PORT ?? 3000), host, () => {
    const address = server.address()
    const port = typeof address === 'object' && address !== null ? address.port : 0
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
    console.log(`express-jwt-gate example listening on ${url}`)
    onListening(url)
  })
}
