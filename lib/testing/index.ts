export { testKeyPair, testSecret } from './keys'
export {
  expiredToken,
  mintToken,
  noneAlgToken,
  notYetValidToken,
  tamperedToken,
  wrongKeyToken,
} from './tokens'

export type { TestKey, TestKeyPair } from './keys'
export type { MintOptions, TamperOptions } from './tokens'
