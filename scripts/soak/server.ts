import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const ROOT = join(__dirname, '..', '..')
/** ts-node compiles the example on first start: allow for a slow machine. */
export const STARTUP_TIMEOUT_MS = 60_000

/** Rebuild dist/ when it is missing or older than a source file: the server runs on dist/. */
export function buildIfStale(): void {
  const built = join(ROOT, 'dist', 'index.js')
  const stale =
    !existsSync(built) ||
    !existsSync(join(ROOT, 'dist', 'index.mjs')) ||
    readdirSync(join(ROOT, 'lib'), { recursive: true, encoding: 'utf8' }).some(
      (name) => statSync(join(ROOT, 'lib', name)).mtimeMs > statSync(built).mtimeMs,
    )
  if (!stale) return
  console.log('soak: dist/ is missing or older than lib/; building')
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], {
    cwd: ROOT,
    stdio: 'inherit',
  })
}

export interface Server {
  readonly child: ChildProcess
  readonly pid: number
  readonly url: string
  /** Why the server exited, once it has. */
  exit: string | undefined
}

/** Every server started, so that an exit or signal handler can kill what is left. */
const started = new Set<ChildProcess>()

/** Kill every server still running, at once: for exit paths that cannot wait. */
export function killServersNow(): void {
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
}

/**
 * `npm start`'s command, run directly rather than through npm so that the child's pid
 * is the server's own, whose RSS is what we measure. PORT=0 lets the kernel pick a
 * free port with no race; the server prints the URL it got.
 */
export function startServer(
  host: string,
  secret: string,
  env: Readonly<Record<string, string>> = {},
): Promise<Server> {
  const child = spawn(
    process.execPath,
    ['--require', 'ts-node/register/transpile-only', join('examples', 'server.ts')],
    {
      cwd: ROOT,
      env: { ...process.env, ...env, HOST: host, PORT: '0', JWT_SECRET: secret },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  started.add(child)
  child.stderr?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line !== '') console.error(`[server] ${line}`)
    }
  })
  return new Promise((resolve, reject) => {
    let output = ''
    let server: Server | undefined
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the server did not listen within ${STARTUP_TIMEOUT_MS / 1000} s`))
    }, STARTUP_TIMEOUT_MS)
    // Keep reading after the URL too, or a full pipe would block the server.
    child.stdout?.on('data', (chunk: Buffer) => {
      if (server !== undefined) return
      output += chunk.toString('utf8')
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1]
      if (url === undefined || child.pid === undefined) return
      clearTimeout(timer)
      server = { child, pid: child.pid, url, exit: undefined }
      resolve(server)
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      const why = signal === null ? `exit code ${code}` : `signal ${signal}`
      if (server === undefined) reject(new Error(`the server exited before listening (${why})`))
      else server.exit = why
    })
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })
}

/** SIGTERM, then SIGKILL if it has not exited 5 s later. */
export async function stopServer(server: Server): Promise<void> {
  const { child } = server
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}
