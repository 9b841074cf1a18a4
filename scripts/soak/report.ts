import type { ClassStats } from './load'
import { MB, type RssSample } from './memory'
import type { RequestClass } from './mix'
import { wrongCount } from './verdict'

export const mb = (bytes: number | undefined): string =>
  bytes === undefined ? '?' : `${(bytes / MB).toFixed(1)} MB`

/** `401×12 403×3`: each key with its count. */
export function counts(map: ReadonlyMap<number | string, number>): string {
  return [...map.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, count]) => `${key}×${count}`)
    .join(' ')
}

/** At most ~40 points, "second:MB", so the GC sawtooth and any slope read at a glance. */
export function timeline(samples: readonly RssSample[]): string {
  const step = Math.max(1, Math.ceil(samples.length / 40))
  return samples
    .filter((_, i) => i % step === 0 || i === samples.length - 1)
    .map((sample) => `${(sample.at / 1000).toFixed(1)}s:${Math.round(sample.bytes / MB)}`)
    .join(' ')
}

/** One row per class: what it expects, what was sent, what came back. */
export function printTable(
  classes: readonly RequestClass[],
  stats: ReadonlyMap<string, ClassStats>,
): void {
  const header = ['class', 'request', 'expect', 'sent', 'answered', 'wrong', 'statuses']
  const rows = classes.map((cls) => {
    const s = stats.get(cls.name) ?? { sent: 0, answered: 0, statuses: new Map<number, number>() }
    return [
      cls.name,
      `${cls.method} ${cls.path}`,
      String(cls.expected),
      String(s.sent),
      String(s.answered),
      String(wrongCount(cls, s)),
      counts(s.statuses),
    ]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)))
  const numeric = new Set([2, 3, 4, 5])
  for (const row of [header, ...rows]) {
    const cells = row.map((cell, i) =>
      numeric.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
    )
    console.log(cells.join('  ').trimEnd())
  }
}
