import type { Command } from './command'
import { decode } from './commands/decode'
import { secret } from './commands/secret'
import { sign } from './commands/sign'
import { verify } from './commands/verify'

/** Every command, in the order the top-level help lists them. */
export const COMMANDS: ReadonlyMap<string, Command> = new Map([
  ['secret', secret],
  ['sign', sign],
  ['verify', verify],
  ['decode', decode],
])
