import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type Respond = (req: IncomingMessage, res: ServerResponse) => void

/** A real identity provider stand-in on 127.0.0.1 that counts its requests. */
export interface Provider {
  /** `http://127.0.0.1:<port>/jwks.json` */
  readonly url: string
  /** Requests received so far. */
  fetches: number
  /** How the next requests are answered. */
  respond: Respond
  /** Answer with this JSON (a JWK Set, or anything else). */
  serve(body: unknown): void
  close(): Promise<void>
}

export async function startProvider(): Promise<Provider> {
  const provider = {
    url: '',
    fetches: 0,
    respond: ((_req, res) => res.writeHead(404).end()) as Respond,
    serve(body: unknown) {
      this.respond = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
      }
    },
    close: async () => {},
  }
  const server = createServer((req, res) => {
    provider.fetches++
    provider.respond(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  provider.url = `http://127.0.0.1:${port}/jwks.json`
  provider.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return provider
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
