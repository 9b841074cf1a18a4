import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

/** The package whose version `--version` prints. */
const PACKAGE_NAME = 'express-jwt-gate'

/** The package.json in `dir`, if there is one that can be read as JSON. */
function manifestIn(dir: string): { name?: unknown; version?: unknown } | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name?: unknown
      version?: unknown
    }
  } catch {
    return undefined
  }
}

/**
 * The version in the package's own package.json, read at run time: the nearest one
 * named express-jwt-gate at or above `from`. Walking up rather than counting `..`
 * finds it from `lib/cli` (tests), `dist/cli` (the repository) and
 * `node_modules/express-jwt-gate/dist/cli` (an installed package) alike; the name
 * check skips a package.json of something else on the way (a nested one, or none at
 * all where a bundler copied the file).
 */
export function packageVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = manifestIn(dir)
    if (manifest?.name === PACKAGE_NAME && typeof manifest.version === 'string') {
      return manifest.version
    }
    if (dirname(dir) === dir) {
      throw new Error(`cannot find the package.json of ${PACKAGE_NAME} to read its version`)
    }
  }
}
