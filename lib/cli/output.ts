import type { CliIo } from './io'

/**
 * Characters that make a terminal show something other than the text: the controls
 * DEL and C1 (cursor moves, colours, window titles), and Unicode's bidirectional
 * controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), which reorder the
 * text around them. C0 controls are missing on purpose: `JSON.stringify` escapes
 * every one inside a string, and the only ones left in its output are the newlines
 * of the indentation.
 */
const TERMINAL_CONTROLS = /[\u007f-\u009f\p{Bidi_Control}]/gu

/**
 * On a terminal, also every other invisible character: format characters (zero-width
 * spaces and joiners, tag characters, soft hyphens) and the line and paragraph
 * separators, so that a zero-width space inside `admin` shows on screen.
 */
const INVISIBLE = /[\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}]/gu

/** A character as JSON `\uXXXX` escapes: one per UTF-16 unit, so astral ones stay valid. */
function escape(character: string): string {
  let text = ''
  for (let i = 0; i < character.length; i++) {
    text += `\\u${character.charCodeAt(i).toString(16).padStart(4, '0')}`
  }
  return text
}

/**
 * Print `value` as indented JSON. A token's header and payload are anyone's text, so
 * whatever could spoof the terminal is printed as a `\uXXXX` escape: the output is
 * still JSON, and it parses to exactly the same value. Escapes occur only inside JSON
 * strings, where these characters can be, so replacing them keeps the JSON valid.
 *
 * - Always: {@link TERMINAL_CONTROLS}. Piped output often ends on a terminal all the
 *   same (`| less`, `| tee`, a log read later), and `jq` or `JSON.parse` read the
 *   same value either way.
 * - When stdout is a terminal: {@link INVISIBLE} as well. Piped, those stay as they
 *   are, so that text such as emoji sequences reaches other programs unchanged.
 */
export function printJson(io: CliIo, value: unknown): void {
  const json = JSON.stringify(value, null, 2)
  const pattern = io.stdout.isTTY === true ? INVISIBLE : TERMINAL_CONTROLS
  io.stdout.write(`${json.replace(pattern, escape)}\n`)
}
