// Rule 3: IrqDisabled is proven only by raw irqsave/irq, core localIrqSave and no-thread handlers —
// not by spinlock_t's irqsave (no-op on RT), a threadable handler, or nothing.
import { expectError, expectType } from 'tsd'
import { type BhDisabled, createKernel, type IrqDisabled, type PreemptDisabled } from '../src/index.js'

const kernel = createKernel()
const stats = kernel.spinLock('stats', 0)
const hw = kernel.rawSpinLock('hw', 0)
const queue = kernel.spinLockIrq('queue', [] as number[])
const pcp = kernel.localLock('pcp', () => 0)

const touchHardware = (_ctx: IrqDisabled): 'done' => 'done'
const noPreempt = (_ctx: PreemptDisabled): void => undefined
const noBh = (_ctx: BhDisabled): void => undefined

kernel.run((ctx) => {
  // @expect-error IrqDisabled
  expectError(touchHardware(ctx))
  stats.withLockedIrqSave(ctx, (ctx) => {
    // The refusal names the proof and why: "… to parameter of type 'IrqDisabled'" and
    // "'"off on a normal kernel only: PREEMPT_RT leaves interrupts on (…)"' is not assignable to type 'true'".
    // @expect-error off on a normal kernel only: PREEMPT_RT leaves interrupts on
    expectError(touchHardware(ctx))
    // @expect-error PreemptDisabled
    expectError(noPreempt(ctx))
  })
  stats.withLockedIrq(ctx, (ctx) => {
    // @expect-error IrqDisabled
    expectError(touchHardware(ctx))
  })
  queue.withLocked(ctx, (ctx) => {
    // @expect-error IrqDisabled
    expectError(touchHardware(ctx))
  })
  pcp.withLockedIrqSave(ctx, (ctx) => {
    // @expect-error IrqDisabled
    expectError(touchHardware(ctx))
  })
  stats.withLockedBh(ctx, (ctx) => noBh(ctx))
  hw.withLockedIrqSave(ctx, (ctx) => {
    expectType<'done'>(touchHardware(ctx))
    noPreempt(ctx)
    noBh(ctx)
  })
  hw.withLockedIrq(ctx, (ctx) => touchHardware(ctx))
  hw.withLocked(ctx, (ctx) => {
    noPreempt(ctx)
    // @expect-error IrqDisabled
    expectError(touchHardware(ctx))
  })
  ctx.core.localIrqSave((ctx) => touchHardware(ctx))
})

kernel.requestIrq(3, 'nic', (ctx) => {
  noBh(ctx)
  // @expect-error IrqDisabled
  expectError(touchHardware(ctx))
})
kernel.requestIrq(4, 'timer', (ctx) => touchHardware(ctx), { noThread: true })
