#!/usr/bin/env node
import { runCli } from '../cli/main'

// exitCode rather than process.exit(): output piped to another program is written
// asynchronously, and exit() would cut it short.
void runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
}).then((code) => {
  process.exitCode = code
})
