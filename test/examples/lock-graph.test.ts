/**
 * examples/lock-graph.ts (the README's picture and the CLI's example model): what lockdep and
 * the declared order report, and the graph it leaves.
 */
import { describe, expect, it } from 'vitest'
import { createKernel } from '../../src/index.js'
import model, { options } from '../../examples/lock-graph.js'

const run = (preemptRt: boolean) => {
  const kernel = createKernel({ ...options, preemptRt })
  model(kernel)
  return kernel
}

describe('examples/lock-graph', () => {
  it('the firmware loader closes cfg_mutex → fw_mutex → cfg_mutex and breaks the declared order, on both kernels', () => {
    for (const rt of [false, true]) {
      const k = run(rt)
      expect(k.diagnostics.map((d) => d.kind)).toEqual(['circular-dependency', 'lock-order'])
      expect(k.diagnostics[0]).toMatchObject({ lock: "mutex 'cfg_mutex'", held: "mutex 'fw_mutex'", chain: ['cfg_mutex', 'fw_mutex'] })
    }
  })

  it('leaves dev_lock used in hardirq, stats_lock read in softirq, and stats_lock → dev_lock both exclusive and shared', () => {
    const g = run(false).lockGraph()
    const usage = Object.fromEntries(g.classes.map((c) => [c.name, c.usage]))
    expect(usage).toEqual({ stats_lock: '{++.-}', dev_lock: '{-...}', cfg_mutex: '{+.+.}', fw_mutex: '{+.+.}' })
    expect(g.dependencies.map((d) => `${d.from} -> ${d.to} ${d.types.join('|')}`)).toEqual([
      'stats_lock -> dev_lock EN|SN',
      'cfg_mutex -> dev_lock EN',
      'cfg_mutex -> fw_mutex EN',
    ])
  })
})
