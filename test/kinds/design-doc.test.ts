/**
 * docs/defining-kinds.md shows real code and real output: the walk-through's spec is
 * examples/design-v6.ts verbatim, and each verdict table pasted after a
 * `<!-- checkLockDesign output: NAME -->` marker is what formatLockDesign(checkLockDesign(NAME))
 * prints now.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { MY_SPIN_LOCK_IRQ_V6 } from '../../examples/design-v6.js'
import { checkLockDesign, formatLockDesign, type LockKindSpec, SPIN_LOCK_IRQ_COUNTED, SPIN_LOCK_IRQ_SAVE } from '../../src/index.js'

const doc = readFileSync(new URL('../../docs/defining-kinds.md', import.meta.url), 'utf8')
const KINDS: Readonly<Record<string, LockKindSpec>> = { MY_SPIN_LOCK_IRQ_V6, SPIN_LOCK_IRQ_SAVE, SPIN_LOCK_IRQ_COUNTED }

/** The fenced block right after `marker`. */
const blockAfter = (marker: string): string => {
  const at = doc.indexOf(marker)
  if (at < 0) throw new Error(`docs/defining-kinds.md has no ${marker}`)
  const m = /```\w*\n([\s\S]*?)\n```/.exec(doc.slice(at + marker.length))
  if (m === null) throw new Error(`no fenced block after ${marker}`)
  return m[1] ?? ''
}

describe('docs/defining-kinds.md', () => {
  it("the walk-through's spec is examples/design-v6.ts (imports from 'lockproof')", () => {
    const file = readFileSync(new URL('../../examples/design-v6.ts', import.meta.url), 'utf8')
    const code = file.slice(file.indexOf('import {'), file.indexOf('export const title')).trimEnd().replace("'../src/index.js'", "'lockproof'")
    expect(blockAfter('<!-- the code of examples/design-v6.ts -->')).toBe(code)
  })

  const pasted = [...doc.matchAll(/<!-- checkLockDesign output: (\w+) -->/g)].map((m) => m[1] ?? '')
  it('pastes the three designs’ verdicts', () => {
    expect(pasted).toEqual(['MY_SPIN_LOCK_IRQ_V6', 'SPIN_LOCK_IRQ_SAVE', 'SPIN_LOCK_IRQ_COUNTED'])
  })
  it.each(pasted)('the table pasted for %s is what the code prints', (name) => {
    const kind = KINDS[name]
    if (kind === undefined) throw new Error(`unknown kind ${name}`)
    expect(blockAfter(`<!-- checkLockDesign output: ${name} -->`)).toBe(formatLockDesign(checkLockDesign(kind)))
  })
})
