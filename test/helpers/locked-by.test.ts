/** LockedBy at run time: the owner's instance must be held by the context's task ("mismatched owners"). */
import { describe, expect, it } from 'vitest'
import { createKernel, InvalidArgumentError, LockedBy, LockedByError } from '../../src/index.js'

const setup = () => {
  const kernel = createKernel()
  const innerA = kernel.spinLock('Process::inner', { nodes: 1 })
  const innerB = kernel.spinLock('Process::inner', { nodes: 0 })
  const refs = kernel.mutex('Process::node_refs', 0)
  const node = new LockedBy(innerA, { strong: 0 })
  return { kernel, innerA, innerB, refs, node }
}
// The context's type rules, bypassed (a JavaScript caller).
const access = (field: LockedBy<{ strong: number }, never>, ctx: unknown) => (field.access as (ctx: unknown) => { strong: number }).call(field, ctx)

describe('LockedBy', () => {
  it('gives the data to a context holding the owner, in callback and guard form', () => {
    const { kernel, innerA, node } = setup()
    kernel.run((ctx) => innerA.withLocked(ctx, (ctx) => node.access(ctx).strong++))
    kernel.run((ctx) => {
      using g = innerA.lockIrqSave(ctx)
      node.access(g.ctx).strong++
    })
    expect(kernel.run((ctx) => innerA.withLocked(ctx, (ctx) => node.access(ctx).strong))).toBe(2)
    expect(kernel.diagnostics).toEqual([])
  })

  it('refuses another instance of the owner class: mismatched owners', () => {
    const { kernel, innerB, node } = setup()
    const n = node as unknown as LockedBy<{ strong: number }, never>
    expect(() => kernel.run((ctx) => innerB.withLocked(ctx, (ctx) => access(n, ctx)))).toThrow(
      new LockedByError(
        "LockedBy<spinlock_t 'Process::inner'>: mismatched owners: this task holds another instance of spinlock_t 'Process::inner', not the one that owns this data",
      ),
    )
    // Refused, and nothing stays changed: the lock was released as the callback threw.
    expect(kernel.cpu(0).preemptCount).toBe(0)
  })

  it('refuses a context that does not hold the owner, or holds it in another task', () => {
    const { kernel, refs, node } = setup()
    const n = node as unknown as LockedBy<{ strong: number }, never>
    expect(() => kernel.run((ctx) => refs.withLocked(ctx, (ctx) => access(n, ctx)))).toThrow(
      new LockedByError("LockedBy<spinlock_t 'Process::inner'>: spinlock_t 'Process::inner' is not held by this task"),
    )
    const smp = createKernel({ cpus: 2 })
    const inner = smp.spinLock('Process::inner', 0)
    const field = new LockedBy(inner, { strong: 0 }) as unknown as LockedBy<{ strong: number }, never>
    // CPU 0's task holds the owner; a task on CPU 1 shows its own context.
    expect(() => smp.run((ctx) => inner.withLocked(ctx, () => smp.run((other) => access(field, other), { cpu: 1 })))).toThrow(LockedByError)
  })

  it('refuses an owner that is not a kernel lock, and a missing context', () => {
    expect(() => new LockedBy({ kind: 'spinlock_t', name: 'x' }, 0)).toThrow(
      new InvalidArgumentError('LockedBy: the owner must be a lock made by a kernel (spinLock(), mutex(), …)'),
    )
    const { node } = setup()
    expect(() => access(node as unknown as LockedBy<{ strong: number }, never>, {})).toThrow(
      new InvalidArgumentError('LockedBy.access(): the argument must be a context'),
    )
  })
})
