/**
 * The kind registry (src/kinds/): lockdep's classes carry the wait types, lock type and read
 * rule of their kind's spec (as `struct lockdep_map` does), the steps table is consistent with
 * every sequence, and the public LOCK_KINDS table is the registry's view.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, LOCK_KINDS } from '../../src/index.js'
import { KIND_SPECS } from '../../src/kinds/registry.js'
import { SCOPES } from '../../src/kinds/scopes.js'
import type { LockKindSpec, Ops, Variant } from '../../src/kinds/spec.js'
import { proofBits, STEPS } from '../../src/kinds/steps.js'
import { ClassRegistry } from '../../src/lockdep/classes.js'
import { CLAIM_BH, CLAIM_IRQS_OFF, CLAIM_PREEMPT } from '../../src/exec/claim-bits.js'

describe('lockdep classes are made from the spec', () => {
  it.each([
    ['raw_spinlock_t', 'spin', 'normal', 'shared'],
    ['spinlock_t', 'config', 'normal', 'shared'],
    ['rwlock_t', 'config', 'normal', 'read_lock_is_recursive'],
    ['local_lock_t', 'config', 'percpu', 'shared'],
    ['mutex', 'sleep', 'normal', 'shared'],
    ['rw_semaphore', 'sleep', 'normal', 'shared'],
    ['SpinLockIrq', 'config', 'normal', 'shared'],
  ] as const)('%s: wait_type_inner %s (outer unset = inner), lock_type %s, reads %s', (kind, inner, lockType, readRecursion) => {
    const cls = new ClassRegistry().get('c', kind)
    expect(cls.types).toEqual({ label: KIND_SPECS[kind].label, inner, outer: inner, lockType, map: false, readRecursion })
    expect(cls.lockType).toBe(lockType)
  })

  it("lockdep's maps: rcu_read_lock and RT's local_bh are {FREE:CONFIG}, a bare lockdep_map is LD_WAIT_INV", () => {
    const reg = new ClassRegistry()
    expect(reg.map('rcu_read_lock').types).toMatchObject({ inner: 'config', outer: 'free', lockType: 'normal', map: true })
    expect(reg.map('local_bh').types).toMatchObject({ inner: 'config', outer: 'free', lockType: 'percpu', map: true })
    expect(reg.get('m', 'lockdep_map').types).toMatchObject({ inner: 'inv', outer: 'inv', map: true })
  })

  it("the held-lock line prints the class's {outer:inner} (mutex {4:4}, spinlock_t {3:3} with PROVE_RAW_LOCK_NESTING)", () => {
    const kernel = createKernel({ proveRawLockNesting: true })
    const m = kernel.mutex('m', 0)
    const x = kernel.spinLock('x', 0)
    const y = kernel.spinLock('y', 0)
    kernel.run((ctx) => m.withLocked(ctx, (ctx) => x.withLocked(ctx, (ctx) => y.withLocked(ctx, () => 0))))
    kernel.run((ctx) => m.withLocked(ctx, (ctx) => y.withLocked(ctx, (ctx) => x.withLocked(ctx, () => 0))))
    const report = kernel.diagnostics[0]?.report ?? ''
    expect(report).toContain(" #0: (m){+.+.}-{4:4}, mutex 'm'")
    expect(report).toContain(" #1: (y){+.+.}-{3:3}, spinlock_t 'y'")
  })
})

const VARIANTS: readonly Variant[] = ['plain', 'irq', 'irqsave', 'bh']

describe('the steps table', () => {
  const specs: readonly LockKindSpec[] = Object.values(KIND_SPECS)
  const sequences: readonly Ops[] = specs.flatMap((spec) =>
    [spec.variants, spec.readVariants ?? {}].flatMap((table) => VARIANTS.flatMap((v) => (table[v] === undefined ? [] : [table[v].normal, table[v].rt]))),
  )

  it("every lock step's undo is in the unlock sequence, and every undo step is a step", () => {
    for (const ops of sequences) {
      for (const st of ops.lock) {
        const undo = STEPS[st].undo
        if (undo !== null) expect(ops.unlock).toContain(undo)
        else expect(STEPS[st].waitCheck, `${st} is a check or has an undo`).toBe(true)
      }
    }
  })

  it('a scope proves what its enter step gives', () => {
    expect(proofBits(SCOPES.preempt_disable.enter)).toBe(CLAIM_PREEMPT)
    expect(proofBits(SCOPES.local_bh_disable.enter)).toBe(CLAIM_BH)
    expect(proofBits(SCOPES.local_irq_save.enter)).toBe(CLAIM_IRQS_OFF)
    expect(proofBits(SCOPES.local_interrupt_disable.enter)).toBe(CLAIM_IRQS_OFF)
    expect(proofBits(SCOPES.rcu_read_lock.enter)).toBe(0)
    expect(proofBits(SCOPES.migrate_disable.enter)).toBe(0)
  })

  it('LOCK_KINDS is the view of the registry: the same sequences, wait type and category', () => {
    for (const [kind, spec] of Object.entries(KIND_SPECS)) {
      const row = LOCK_KINDS[kind as keyof typeof LOCK_KINDS]
      expect(row.variants).toBe(spec.variants)
      expect(row.wait).toBe(spec.lockdep.waitInner)
      expect(row.category).toBe(spec.category)
    }
  })
})
