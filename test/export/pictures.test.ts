/**
 * The README's picture is current: `npm run pictures` (examples/pictures.ts) would write exactly
 * the committed docs/lock-graph.dot and docs/lock-graph.svg.
 */
import { readFile } from 'node:fs/promises'
import { describe, expect, it, vi } from 'vitest'
import { pictures } from '../../examples/pictures.js'

// Graphviz's WebAssembly build loads in each test.
vi.setConfig({ testTimeout: 60_000 })

describe('docs/lock-graph.{dot,svg}', () => {
  it('are what `npm run pictures` makes now (run it after changing the example or the DOT)', async () => {
    for (const [path, text] of Object.entries(await pictures())) {
      expect(await readFile(new URL(`../../${path}`, import.meta.url), 'utf8'), path).toBe(text)
    }
  })

  it('show the cycle lockdep reported and the declared lock order', async () => {
    const svg = (await pictures())['docs/lock-graph.svg']
    expect(svg).toContain('<title>cluster_lock_order</title>')
    expect(svg).toContain('>refused: closes the cycle</text>')
    for (const name of ['dev_lock', 'stats_lock', 'cfg_mutex', 'fw_mutex']) expect(svg).toContain(`<title>${name}</title>`)
  })
})
