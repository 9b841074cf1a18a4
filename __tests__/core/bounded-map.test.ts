import { boundedMap } from '../../lib/core/bounded-map'

describe('boundedMap, least-recently-used', () => {
  test('evicts the entry used longest ago, counting reads as use', () => {
    const map = boundedMap<string, number>(3, 'least-recently-used')
    map.set('a', 1)
    map.set('b', 2)
    map.set('c', 3)
    expect(map.get('a')).toBe(1) // a is now the most recent
    map.set('d', 4) // b goes
    expect([map.get('a'), map.get('b'), map.get('c'), map.get('d')]).toEqual([1, undefined, 3, 4])
    expect(map.size).toBe(3)
  })

  test('setting an existing key replaces its value and makes it the most recent', () => {
    const map = boundedMap<string, number>(2, 'least-recently-used')
    map.set('a', 1)
    map.set('b', 2)
    map.set('a', 10)
    map.set('c', 3) // b goes, not a
    expect([map.get('a'), map.get('b'), map.get('c')]).toEqual([10, undefined, 3])
  })

  test('delete unlinks an entry from anywhere in the order; deleting a missing key is a no-op', () => {
    const map = boundedMap<string, number>(3, 'least-recently-used')
    for (const [k, v] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ] as const)
      map.set(k, v)
    map.delete('b')
    map.delete('zzz')
    map.set('d', 4)
    map.set('e', 5) // a goes: it is the oldest left
    expect([map.get('a'), map.get('c'), map.get('d'), map.get('e')]).toEqual([undefined, 3, 4, 5])
    map.delete('e')
    map.delete('c')
    map.delete('d')
    expect(map.size).toBe(0)
    map.set('f', 6)
    expect(map.get('f')).toBe(6)
  })

  test('never holds more than max over a long random run', () => {
    const map = boundedMap<number, number>(50, 'least-recently-used')
    for (let i = 0; i < 5000; i++) {
      const key = Math.floor(Math.random() * 200)
      if (i % 7 === 0) map.delete(key)
      else if (i % 3 === 0) map.get(key)
      else map.set(key, i)
      expect(map.size).toBeLessThanOrEqual(50)
    }
  })
})

describe('boundedMap, clear', () => {
  test('keeps everything until full, then starts over with the new entry', () => {
    const map = boundedMap<string, number>(2, 'clear')
    map.set('a', 1)
    map.set('b', 2)
    map.set('a', 11) // an existing key never clears
    expect([map.get('a'), map.get('b'), map.size]).toEqual([11, 2, 2])
    map.set('c', 3)
    expect([map.get('a'), map.get('b'), map.get('c'), map.size]).toEqual([
      undefined,
      undefined,
      3,
      1,
    ])
    map.delete('c')
    expect(map.size).toBe(0)
  })
})
