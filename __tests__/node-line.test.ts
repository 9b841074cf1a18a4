import { spawnSync } from 'node:child_process'

/**
 * The Node major that .ci/run meant this run for; unset outside CI. CI runs the whole
 * suite once per maintained line, with that line's `node` first on PATH.
 */
const line = process.env.JWT_GATE_NODE_LINE

;(line === undefined ? describe.skip : describe)(`the Node line CI asked for (${line})`, () => {
  test('is the one running the suite', () => {
    expect(process.versions.node.split('.')[0]).toBe(line)
  })

  // Tests that start `node` by name, or a script through its shebang, get this one too.
  test('is the `node` on PATH', () => {
    const child = spawnSync('node', ['-p', 'process.version'], {
      encoding: 'utf8',
      timeout: 10_000,
    })
    expect(child.stdout.trim()).toBe(process.version)
  })
})
