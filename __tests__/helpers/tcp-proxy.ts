import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net'

/** A TCP proxy on loopback whose connections a test can cut and restore. */
export interface TcpProxy {
  readonly port: number
  readonly url: string
  /** Drop every connection through it, and refuse new ones until {@link restore}. */
  cut(): void
  restore(): void
  close(): Promise<void>
}

/**
 * Proxy 127.0.0.1:<port> to `targetPort`: one instance's way to Redis, so a test can
 * take that instance offline while every other client keeps its connection.
 */
export async function startProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  let refusing = false
  const server = createServer((inbound) => {
    if (refusing) {
      inbound.destroy()
      return
    }
    const outbound = createConnection({ host: '127.0.0.1', port: targetPort })
    for (const socket of [inbound, outbound]) {
      sockets.add(socket)
      socket.on('error', () => {})
      socket.on('close', () => {
        sockets.delete(socket)
        inbound.destroy()
        outbound.destroy()
      })
    }
    inbound.pipe(outbound)
    outbound.pipe(inbound)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    cut() {
      refusing = true
      for (const socket of sockets) socket.destroy()
    },
    restore() {
      refusing = false
    },
    close: () =>
      new Promise<void>((resolve) => {
        refusing = true
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
