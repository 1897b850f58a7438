import { expectError, expectType } from 'tsd'
import { type Context, createKernel, type IrqDisabled, type PreemptDisabled, type Sleepable } from '../src/index.js'
import type { FreshTaskState } from '../src/rules/state.js'

const kernel = createKernel()

const needsIrqsOff = (_ctx: IrqDisabled): void => undefined
const needsPreemptOff = (_ctx: PreemptDisabled): void => undefined
const needsSleep = (_ctx: Sleepable): void => undefined

kernel.run((ctx) => {
  expectType<Context<FreshTaskState>>(ctx)
  needsSleep(ctx)
  ctx.mightSleep()
  ctx.core.localIrqSave((ctx) => {
    needsIrqsOff(ctx)
    needsPreemptOff(ctx)
    // @expect-error sleeping function called from invalid context (interrupts are disabled (local_irq_save()))
    expectError(ctx.mightSleep())
  })
  ctx.preemptDisable((ctx) => {
    needsPreemptOff(ctx)
    // @expect-error IrqDisabled
    expectError(needsIrqsOff(ctx))
    // @expect-error msleep() may sleep
    expectError(ctx.msleep(1))
  })
  ctx.rcuReadLock((ctx) => {
    // @expect-error RCU read-side section
    expectError(ctx.mightSleep())
  })
  ctx.migrateDisable((ctx) => {
    ctx.msleep(1)
  })
  // @expect-error Promise
  expectError(ctx.preemptDisable(async () => 1))
  const n: number = ctx.localBhDisable(() => 42)
  expectType<number>(n)
})
