/**
 * `lockproof explore`'s progress: the line (executions, executions/s, the done share of the
 * bounded space), a terminal's single rewritten line, plain lines elsewhere, nothing with --quiet.
 * In-process through main() (the subprocess test of plain lines is in ./explore.test.ts).
 */
import { describe, expect, it, vi } from 'vitest'
import { main } from '../../src/cli/main.js'
import { progressLine, progressSink } from '../../src/cli/progress.js'
import { fixture, root } from './bin.js'

vi.setConfig({ testTimeout: 30_000 })

describe('the progress line', () => {
  it.each([
    [
      { kernel: 'normal', executions: 12345, perSecond: 2285.4, fraction: 0.374 },
      'explore: the normal kernel: 12,345 executions, 2,285/s, 37% of the bounded space done',
    ],
    [{ kernel: 'rt', executions: 40, perSecond: 80, fraction: 0.0042 }, 'explore: PREEMPT_RT: 40 executions, 80/s, 0.42% of the bounded space done'],
    [{ kernel: 'rt', executions: 40, perSecond: 80, fraction: 0.0567 }, 'explore: PREEMPT_RT: 40 executions, 80/s, 5.6% of the bounded space done'],
    // The DFS's share is an estimate: never 100 % while the search goes on.
    [{ kernel: 'rt', executions: 9, perSecond: 9, fraction: 1.2 }, 'explore: PREEMPT_RT: 9 executions, 9/s, 99% of the bounded space done'],
    // random and PCT have no bounded space to measure.
    [{ kernel: 'normal', executions: 7, perSecond: 14, fraction: null }, 'explore: the normal kernel: 7 executions, 14/s'],
  ] as const)('%j', (p, line) => {
    expect(progressLine(p)).toBe(line)
  })

  it('a terminal: each report rewrites the line (\\r, erase to its end), cleared when the search ends; elsewhere one line each', () => {
    const tty: string[] = []
    const sink = progressSink((t) => tty.push(t), true)
    sink.onProgress({ kernel: 'normal', executions: 1, perSecond: 2, fraction: null })
    sink.onProgress({ kernel: 'normal', executions: 3, perSecond: 4, fraction: null })
    sink.done()
    expect(tty).toEqual(['\r\x1b[Kexplore: the normal kernel: 1 executions, 2/s', '\r\x1b[Kexplore: the normal kernel: 3 executions, 4/s', '\r\x1b[K'])
    const plain: string[] = []
    const log = progressSink((t) => plain.push(t), false)
    log.onProgress({ kernel: 'rt', executions: 5, perSecond: 6, fraction: 0.5 })
    log.done()
    expect(plain).toEqual(['explore: PREEMPT_RT: 5 executions, 6/s, 50% of the bounded space done\n'])
  })
})

describe('lockproof explore in-process: progress on a terminal, --quiet', () => {
  const explore = async (extra: readonly string[]) => {
    const out: string[] = []
    const err: string[] = []
    const code = await main(['explore', fixture('busy.model.ts'), '--kernels', 'normal', '--strategy', 'random', '--max-time', '1100', ...extra], {
      cwd: root,
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      errIsTTY: true,
    })
    return { code, out: out.join(''), err }
  }

  it('a terminal gets one rewritten line about every 500 ms, cleared at the end', async () => {
    const r = await explore([])
    expect(r.code).toBe(0)
    expect(r.err.length).toBeGreaterThanOrEqual(2)
    const ERASE = '\r\x1b[K'
    for (const t of r.err.slice(0, -1)) {
      expect(t.startsWith(ERASE)).toBe(true)
      expect(t.slice(ERASE.length)).toMatch(/^explore: the normal kernel: [\d,]+ executions, [\d,]+\/s$/)
    }
    expect(r.err.at(-1)).toBe('\r\x1b[K')
    expect(r.out).toContain('bounded space not exhausted (the budget ran out): no counterexample')
  })

  it('--quiet: no progress at all', async () => {
    const r = await explore(['-q'])
    expect([r.code, r.err]).toEqual([0, []])
  })
})
