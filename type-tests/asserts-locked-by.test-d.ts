// lockdep's assertions where the state knows the answer, and LockedBy's owner class.
import { expectError, expectType } from 'tsd'
import {
  type AnyContext,
  createKernel,
  helper,
  LockedBy,
  lockdepAssertHeld,
  lockdepAssertHeldOnce,
  lockdepAssertInSoftirq,
  lockdepAssertIrqsDisabled,
  lockdepAssertNotHeld,
  lockdepAssertPreemptionDisabled,
} from '../src/index.js'

const kernel = createKernel()
const port = kernel.spinLock('port', { ier: 0 })
const hw = kernel.rawSpinLock('hw', 0)
const inner = kernel.spinLock('Process::inner', { nodes: 0 })
const nodeRefs = kernel.mutex('Process::node_refs', { handles: 0 })
const strong = new LockedBy(inner, { strong: 0 })

kernel.run((ctx) => {
  port.withLocked(ctx, (ctx) => {
    lockdepAssertHeld(ctx, port)
    lockdepAssertHeldOnce(ctx, port)
    // @expect-error lockdep_assert_not_held(port): spinlock_t 'port' is held here, so the kernel's WARN_ON() fires
    expectError(lockdepAssertNotHeld(ctx, port))
  })
  // @expect-error lockdep_assert_held(port): spinlock_t 'port' is not held here, so the kernel's WARN_ON() fires
  expectError(lockdepAssertHeld(ctx, port))
  // @expect-error lockdep_assert_held_once(port): spinlock_t 'port' is not held here
  expectError(lockdepAssertHeldOnce(ctx, port))
  lockdepAssertNotHeld(ctx, port)

  hw.withLockedIrqSave(ctx, (ctx) => {
    lockdepAssertIrqsDisabled(ctx)
    lockdepAssertPreemptionDisabled(ctx)
  })
  port.withLockedIrqSave(ctx, (ctx) => {
    // @expect-error lockdep_assert_irqs_disabled(): interrupts are not disabled on both kernels here (spinlock_t 'port' is held)
    expectError(lockdepAssertIrqsDisabled(ctx))
    // @expect-error lockdep_assert_preemption_disabled(): preemption is not disabled on both kernels here (spinlock_t 'port' is held)
    expectError(lockdepAssertPreemptionDisabled(ctx))
  })
  // @expect-error lockdep_assert_in_softirq(): not in softirq context and bottom halves are not disabled here (task context)
  expectError(lockdepAssertInSoftirq(ctx))
  ctx.localBhDisable((ctx) => lockdepAssertInSoftirq(ctx))
  // in_softirq() is softirq_count(): interrupts off alone leave it 0, so the kernel's WARN fires.
  ctx.core.localIrqSave((ctx) => {
    // @expect-error lockdep_assert_in_softirq(): not in softirq context and bottom halves are not disabled here (interrupts are disabled (local_irq_save())): interrupts off keep softirqs away
    expectError(lockdepAssertInSoftirq(ctx))
  })
  hw.withLockedIrqSave(ctx, (ctx) => {
    // @expect-error lockdep_assert_in_softirq(): not in softirq context and bottom halves are not disabled here (raw_spinlock_t 'hw' is held): interrupts off keep softirqs away
    expectError(lockdepAssertInSoftirq(ctx))
  })
  port.withLockedBh(ctx, (ctx) => lockdepAssertInSoftirq(ctx))

  inner.withLocked(ctx, (ctx) => {
    expectType<{ strong: number }>(strong.access(ctx))
  })
  nodeRefs.withLocked(ctx, (ctx) => {
    // @expect-error LockedBy: this data is protected by spinlock_t 'Process::inner', which is not held here
    expectError(strong.access(ctx))
  })
})
kernel.requestIrq(3, 'eth0', (ctx) => {
  // @expect-error lockdep_assert_in_softirq(): in hardirq context, where the kernel's WARN_ON_ONCE() fires
  expectError(lockdepAssertInSoftirq(ctx))
})
// Where the state does not know, the assertion is left to run time.
const unknownHeld = (ctx: AnyContext) => lockdepAssertHeld(ctx, port)
const viaProof = (ctx: AnyContext) => {
  // @expect-error LockedBy: data protected by spinlock_t 'Process::inner' reached from a context typed with a proof
  expectError(strong.access(ctx))
}
// A helper's mustHold shows the owner to its body.
const nodeInc = helper({ name: 'Node::update_refcount_locked', mustHold: [inner] }, (ctx) => {
  lockdepAssertHeld(ctx, inner)
  return ++strong.access(ctx).strong
})
kernel.run((ctx) => inner.withLocked(ctx, (ctx) => nodeInc(ctx)))
void unknownHeld
void viaProof
