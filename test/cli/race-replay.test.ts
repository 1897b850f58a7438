/**
 * A data race through the CLI, in-process (main() with captured streams): `explore` finds it,
 * `run --replay` of its string reports it too (one run alone has no race detector: the explorer's
 * replay of that execution supplies it) and exits 1; the valid run without the replay exits 0.
 */
import { describe, expect, it, vi } from 'vitest'
import { main } from '../../src/cli/main.js'
import { fixture, root } from './bin.js'

vi.setConfig({ testTimeout: 30_000 })

const cli = async (argv: readonly string[]) => {
  const out: string[] = []
  const err: string[] = []
  const code = await main(argv, { cwd: root, out: (t) => out.push(t), err: (t) => err.push(t) })
  return { code, out: out.join(''), err: err.join('') }
}

describe('a data race: explore, then run --replay', () => {
  it("explore --json finds it on the normal kernel; run --replay of its string prints KCSAN's report and exits 1", async () => {
    const found = await cli(['explore', fixture('race.model.ts'), '--kernels', 'normal', '--json'])
    expect(found.code).toBe(1)
    const [c] = JSON.parse(found.out).counterexamples
    expect([c.kind, c.title]).toEqual(['data-race', 'BUG: KCSAN: data-race in eth0 / poller'])

    const replayed = await cli(['run', fixture('race.model.ts'), '--replay', c.replay])
    expect(replayed.code).toBe(1)
    expect(replayed.out).toContain('BUG: KCSAN: data-race in eth0 / poller\n')
    expect(replayed.out).toContain('(normal kernel, 1 CPU): 0 diagnostics, 1 data race\n')

    // The default schedule runs the task to its end before the interrupt: no overlap, nothing reported.
    const once = await cli(['run', fixture('race.model.ts'), '-q'])
    expect([once.code, once.err]).toEqual([0, ''])
  })
})
