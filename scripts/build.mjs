// Build: TypeScript to CommonJS in dist/, then a thin ES module entry over it.
// One implementation serves both `require` and `import`, so an error thrown by the
// package is `instanceof JwtAuthError` whichever way the application loaded it.
import { execFileSync } from 'node:child_process'
import { chmodSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { buildSync } from 'esbuild'

const require = createRequire(import.meta.url)
rmSync('dist', { recursive: true, force: true })
execFileSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
  {
    stdio: 'inherit',
  },
)

/**
 * An ES module entry over a CommonJS one: the same objects under the same names. The
 * testing helpers get one too, over the same files, so that an error they throw is the
 * main entry's own class.
 */
function esmOver(file) {
  const names = Object.keys(require(`../dist/${file}.js`)).filter((name) => name !== '__esModule')
  const base = file.split('/').pop()
  writeFileSync(
    `dist/${file}.mjs`,
    `import cjs from './${base}.js'\n\nexport const { ${names.join(', ')} } = cjs\n`,
  )
}
esmOver('index')
esmOver('testing/index')

// tsc keeps the shebang but not the execute bit, which npm sets only at install:
// tests and `npm link` run the built file directly.
chmodSync('dist/bin/jwt-gate.js', 0o755)

// The browser client as one self-contained ES module, which a page can load with
// <script type="module"> and no bundler. tsc has already written its CommonJS file and
// types (dist/client/index.js, index.d.ts). Unlike the server entry, `import` and
// `require` get separate copies here: a browser cannot load CommonJS.
buildSync({
  entryPoints: ['lib/client/index.ts'],
  outfile: 'dist/client/index.mjs',
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  logLevel: 'warning',
})
