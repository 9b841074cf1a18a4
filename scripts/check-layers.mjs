// `npm run lint` runs this after ESLint: it proves that the layer rules in
// eslint.config.mjs still refuse what they exist to refuse. Each probe lints a wrong
// (or a right) import as if it were written in a real file of that layer.
import { existsSync } from 'node:fs'
import { ESLint } from 'eslint'

const probes = [
  ['lib/core/claims.ts', "import { readRing } from '../keys/ring'", false],
  ['lib/core/claims.ts', "import { createVerifier } from '../verify'", false],
  ['lib/core/fast/hmac.ts', "import { jwtAuth } from '../../express/middleware'", false],
  ['lib/core/claims.ts', "import type { Request } from 'express'", false],
  ['lib/core/claims.ts', "import { fail } from './errors'", true],
  ['lib/keys/ring.ts', "import { verifyToken } from '../verify'", false],
  ['lib/keys/ring.ts', "import { jwtAuth } from '../express/middleware'", false],
  ['lib/keys/ring.ts', "import { fail } from '../core/errors'", true],
  ['lib/sign.ts', "import { jwtAuth } from './express/middleware'", false],
  ['lib/sign.ts', "import { readRing } from './keys/ring'", true],
  ['lib/express/guard.ts', "import { runCli } from '../cli/main'", false],
  ['lib/express/guard.ts', "import { createVerifier } from '../verify'", true],
  ['lib/express/guard.ts', "import type { Request } from 'express'", true],
  ['lib/cli/main.ts', "import { jwtAuth } from '../express/middleware'", false],
  ['lib/cli/main.ts', "import type { Request } from 'express'", false],
  ['lib/cli/main.ts', "import { signToken } from '../sign'", true],
  ['lib/sessions/lifecycle.ts', "import type { Request } from 'express'", false],
  ['lib/sessions/lifecycle.ts', "import { runCli } from '../cli/main'", false],
  ['lib/sessions/lifecycle.ts', "import { createAuthClient } from '../client'", false],
  ['lib/sessions/lifecycle.ts', "import { jwtAuth } from '../express/middleware'", true],
  ['lib/sessions/express/authenticate.ts', "import type { Request } from 'express'", true],
  ['lib/sessions/stores/redis/store.ts', "import type { Request } from 'express'", false],
  ['lib/testing/index.ts', "import { jwtAuth } from '../express/middleware'", false],
  ['lib/testing/index.ts', "import type { Request } from 'express'", false],
  ['lib/testing/index.ts', "import { runCli } from '../cli/main'", false],
  ['lib/testing/index.ts', "import { signToken } from '../sign'", true],
  ['lib/testing/index.ts', "import { generateSecret } from '../keys/secret'", true],
  ['lib/testing/index.ts', "import { setupError } from '../core/errors'", true],
  ['lib/client/index.ts', "import { randomBytes } from 'node:crypto'", false],
  ['lib/client/index.ts', "import { Buffer } from 'buffer'", false],
  ['lib/client/index.ts', "import { fail } from '../core/errors'", false],
]

const eslint = new ESLint()
let failures = 0
let checked = 0
for (const [filePath, line, allowed] of probes) {
  // A probe of a file that has moved would prove nothing: it fails instead.
  if (!existsSync(filePath)) {
    failures++
    console.error(`${filePath}: no such file; move the probe with the file`)
    continue
  }
  checked++
  const [result] = await eslint.lintText(`${line}\nexport {}\n`, { filePath })
  const refused = result.messages.some((m) => m.ruleId === 'no-restricted-imports')
  if (refused === allowed) {
    failures++
    console.error(
      `${filePath}: ${line} was ${refused ? 'refused' : 'allowed'}, expected the opposite`,
    )
  }
}
if (failures > 0) process.exit(1)
console.log(`layer rules: ${checked} probes behave as intended`)
