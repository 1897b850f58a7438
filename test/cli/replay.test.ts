/**
 * Replays through the CLI, in-process (main() with captured streams): a data race `explore` finds
 * is reported by `run --replay` of its string too (one run alone has no race detector: the
 * explorer's replay of that execution supplies it) and exits 1, while the default run exits 0; a
 * replay string whose choices do not fit the options given is refused, naming the options.
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

describe('a replay string whose choices do not fit', () => {
  it("recorded with one interrupt arrival, replayed with none: the explorer's ReplayError, with the options to check; exit 2", async () => {
    const found = await cli(['explore', fixture('rfl998.model.ts'), '--kernels', 'normal', '--keep-going', '--json'])
    const deadlock = JSON.parse(found.out).counterexamples.find((c: { kind: string }) => c.kind === 'deadlock')
    expect(deadlock.arrivals).toBe(1)
    const r = await cli(['explore', fixture('rfl998.model.ts'), '--replay', deadlock.replay, '--irq-arrivals', '0'])
    expect([r.code, r.out]).toEqual([2, ''])
    expect(r.err).toMatch(
      /^lockproof: \S+rfl998\.model\.ts: ReplayError: choice \d+ of the replayed schedule is \d+, but only \d+ choices? (is|are) offered there \(the options that change what runs, --no-lockdep and --irq-arrivals, must be given as when it was recorded\)\n$/,
    )
  })
})
