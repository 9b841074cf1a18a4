import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { buildSync } from 'esbuild'

/**
 * The browser client's size budget, measured the way a user's bundler would see it:
 * bundled from source with esbuild, minified, gzipped. A browser helper that grows past
 * jwt-decode's ~1 KB for the same job is one that people replace.
 */

const root = join(__dirname, '..', '..')
const KB = 1024

function bundle(entry: string): string {
  const result = buildSync({
    stdin: { contents: entry, resolveDir: root, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  })
  return (result.outputFiles[0] as { text: string }).text
}

const minGz = (code: string) => gzipSync(code).length

const decodeOnly = bundle(
  "export { decodeToken, tokenFeatures, tokenExpiresAt, isTokenExpired, TokenDecodeError } from './lib/client/index.ts'",
)
const everything = bundle("export * from './lib/client/index.ts'")

describe('express-jwt-gate/client size, min+gz', () => {
  test(`decode helpers alone: ${minGz(decodeOnly)} B, budget 1 KB`, () => {
    expect(minGz(decodeOnly)).toBeLessThanOrEqual(1 * KB)
  })

  test(`everything, createAuthClient included: ${minGz(everything)} B, budget 2.5 KB`, () => {
    expect(minGz(everything)).toBeLessThanOrEqual(2.5 * KB)
  })

  test('tree-shaking leaves createAuthClient out of a decode-only bundle', () => {
    expect(decodeOnly).not.toContain('refresh_token')
    expect(everything).toContain('refresh_token')
  })

  test('the bundle needs nothing from Node and imports nothing', () => {
    for (const code of [decodeOnly, everything]) {
      expect(code).not.toMatch(/\bBuffer\b|\brequire\(|\bprocess\.|node:|\bimport\b/)
    }
  })
})
