// Valid nesting compiles with no casts, and each callback gets the expected context type.
import { expectAssignable, expectNotAssignable, expectType } from 'tsd'
import {
  type Atomic,
  type Context,
  createKernel,
  type HardIrqContext,
  type IrqDisabled,
  type PreemptDisabled,
  type Sleepable,
  type SoftIrqContext,
  type SoftirqContext,
  type TaskContext,
} from '../src/index.js'

const kernel = createKernel()
const cfg = kernel.mutex('cfg', { mode: 'fast' })
const sem = kernel.rwSemaphore('sem', 0)
const stats = kernel.spinLock('stats', { hits: 0 })
const queue = kernel.spinLock('queue', [] as number[])
const table = kernel.rwLock('table', 0)
const hw = kernel.rawSpinLock('hw', { reg: 0 })
const pcp = kernel.localLock('pcp', () => ({ n: 0 }))
const irqLock = kernel.spinLockIrq('irq', 0)

kernel.run((ctx) => {
  expectAssignable<Sleepable>(ctx)
  expectAssignable<TaskContext>(ctx)
  expectNotAssignable<Atomic>(ctx)
  // Spinning inside sleeping, sleeping inside sleeping.
  cfg.withLocked(ctx, (ctx, c) => {
    expectType<{ mode: string }>(c)
    expectAssignable<Sleepable>(ctx)
    sem.withRead(ctx, (ctx) => stats.withLocked(ctx, () => 0))
    stats.withLocked(ctx, (ctx, s) => {
      expectType<{ hits: number }>(s)
      expectAssignable<Atomic>(ctx)
      expectNotAssignable<Sleepable>(ctx)
      expectNotAssignable<PreemptDisabled>(ctx) // spinlock_t keeps preemption on RT
      // Different spinlock_t classes nest; raw inside everything; CPU-local inside sleeping.
      queue.withLockedIrqSave(ctx, (ctx) => table.withRead(ctx, (ctx) => hw.withLocked(ctx, () => 0)))
      ctx.kmalloc(32, 'GFP_ATOMIC')
      ctx.rcuReadLock((ctx) => queue.withLocked(ctx, () => 0))
    })
    pcp.withLocked(ctx, (ctx, data) => {
      expectType<{ n: number }>(data)
      stats.withLocked(ctx, (ctx) => hw.withLockedIrqSave(ctx, () => 0))
    })
  })
  // A spinlock_t inside an RCU read-side section is legal, even on RT.
  ctx.rcuReadLock((ctx) => stats.withLocked(ctx, () => 0))
  ctx.localBhDisable((ctx) => pcp.withLocked(ctx, () => 0))
  irqLock.withLocked(ctx, (ctx) => hw.withLocked(ctx, () => 0))
  // The exact state inside a raw irqsave section.
  hw.withLockedIrqSave(ctx, (ctx, data) => {
    expectType<{ reg: number }>(data)
    expectAssignable<IrqDisabled>(ctx)
    expectAssignable<
      Context<{
        readonly exec: 'task'
        readonly wait: 'spin'
        readonly irq: true
        readonly preempt: true
        readonly bh: true
        readonly held: 'hw'
        readonly why: "raw_spinlock_t 'hw' is held"
      }>
    >(ctx)
  })
  // The callback's return type flows out unchanged.
  expectType<readonly [1, 'two']>(stats.withLocked(ctx, () => [1, 'two'] as const))
  ctx.msleep(1)
  ctx.mightSleep()
})

kernel.requestIrq(1, 'nic', (ctx) => {
  expectAssignable<HardIrqContext>(ctx)
  expectAssignable<Atomic>(ctx)
  stats.withLocked(ctx, (ctx) => hw.withLocked(ctx, () => 0))
})
kernel.requestIrq(2, 'timer', (ctx) => hw.withLockedIrqSave(ctx, () => 0), { noThread: true })
kernel.openSoftirq('TIMER', (ctx) => {
  expectAssignable<SoftirqContext>(ctx)
  expectAssignable<SoftIrqContext>(ctx) // the deprecated alias still works
  stats.withLockedBh(ctx, () => 0)
})

// A user function demanding a proof, called with a context that proves it.
const pokeRegister = (_ctx: IrqDisabled, value: number): number => value
kernel.run((ctx) => hw.withLockedIrqSave(ctx, (ctx, r) => pokeRegister(ctx, r.reg)))
