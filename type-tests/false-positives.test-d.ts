// Valid code that must compile: recursive rwlock_t readers in interrupt context and with bottom
// halves disabled in a task, and requestIrq with the exported IrqOptions type.
import { expectError, expectType } from 'tsd'
import { type Context, type CtxState, createKernel, type IrqDisabled, type IrqOptions } from '../src/index.js'

const kernel = createKernel()
const table = kernel.rwLock('table', new Map<string, number>())
const stats = kernel.spinLock('stats', 0)
const hw = kernel.rawSpinLock('hw', 0)

declare const heldOf: <S extends CtxState>(ctx: Context<S>) => S['held']

// read_lock_is_recursive(): `... || in_interrupt()` on a normal kernel; RT readers always recurse.
kernel.openSoftirq('NET_RX', (ctx) => {
  table.withRead(ctx, (ctx) => {
    expectType<'table' | 'table (read)'>(heldOf(ctx))
    table.withRead(ctx, (_ctx, routes) => routes.get('default'))
    table.withReadBh(ctx, () => 0)
    // A writer still deadlocks on a read-held lock.
    // @expect-error possible recursive locking detected: rwlock_t 'table' is already held
    expectError(table.withWrite(ctx, () => 0))
    // And the rules of the other locks still apply inside the recursive read.
    table.withRead(ctx, (ctx) => stats.withLocked(ctx, () => 0))
  })
  table.withWrite(ctx, (ctx) => {
    expectType<'table'>(heldOf(ctx))
    // A read of a write-held lock is a deadlock in any context.
    // @expect-error possible recursive locking detected: rwlock_t 'table' is already held
    expectError(table.withRead(ctx, () => 0))
  })
})
kernel.requestIrq(3, 'nic', (ctx) => {
  using r = table.read(ctx)
  using r2 = table.read(r.ctx)
  expectType<Map<string, number>>(r2.data)
})
kernel.run((ctx) => {
  // In a task a pending writer blocks the second reader on a normal kernel (qrwlock).
  table.withRead(ctx, (ctx) => {
    // @expect-error possible recursive locking detected: rwlock_t 'table' is already held
    expectError(table.withRead(ctx, () => 0))
    // @expect-error possible recursive locking detected: rwlock_t 'table' is already held
    expectError(table.withWrite(ctx, () => 0))
  })
})

// In a task with bottom halves disabled: in_interrupt() is irq_count(), softirq_count() included,
// so read_lock_is_recursive() holds on a normal kernel too (and every RT reader is recursive).
kernel.run((ctx) => {
  table.withReadBh(ctx, (ctx) => {
    expectType<'table' | 'table (read)' | '⟨softirq_count()⟩'>(heldOf(ctx))
    table.withRead(ctx, (_ctx, routes) => routes.get('default'))
    // A writer still deadlocks on a read-held lock.
    // @expect-error possible recursive locking detected: rwlock_t 'table' is already held
    expectError(table.withWrite(ctx, () => 0))
  })
  ctx.localBhDisable((ctx) => table.withRead(ctx, (ctx) => table.withRead(ctx, () => 0)))
  table.withRead(ctx, (ctx) => ctx.localBhDisable((ctx) => table.withRead(ctx, () => 0)))
  stats.withLockedBh(ctx, (ctx) => table.withRead(ctx, (ctx) => table.withRead(ctx, () => 0)))
  {
    using bh = table.readBh(ctx)
    using r = table.read(bh.ctx)
    expectType<Map<string, number>>(r.data)
  }
  // Out of the section the softirq count is back to 0: not recursive again.
  ctx.localBhDisable(() => 0)
  table.withRead(ctx, (ctx) => {
    // @expect-error possible recursive locking detected: rwlock_t 'table' is already held
    expectError(table.withRead(ctx, () => 0))
  })
  // Interrupts off alone leave in_interrupt() false (the state's bh is true there, not enough).
  table.withReadIrqSave(ctx, (ctx) => {
    // @expect-error possible recursive locking detected: rwlock_t 'table' is already held
    expectError(table.withRead(ctx, () => 0))
  })
  table.withRead(ctx, (ctx) =>
    ctx.core.localIrqSave((ctx) => {
      // @expect-error possible recursive locking detected: rwlock_t 'table' is already held
      expectError(table.withRead(ctx, () => 0))
    }),
  )
  table.withRead(ctx, (ctx) =>
    hw.withLockedIrqSave(ctx, (ctx) => {
      // @expect-error possible recursive locking detected: rwlock_t 'table' is already held
      expectError(table.withRead(ctx, () => 0))
    }),
  )
})

// The exported IrqOptions type is accepted; then the handler must be right both threaded and
// not: only raw spinlocks, no IrqDisabled proof (a threaded handler has interrupts on on RT).
const touchHardware = (_ctx: IrqDisabled): void => undefined
declare const options: IrqOptions
kernel.requestIrq(
  7,
  'dev',
  (ctx) => {
    hw.withLockedIrqSave(ctx, () => 0)
    // @expect-error Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT
    expectError(stats.withLocked(ctx, () => 0))
    // @expect-error IrqDisabled
    expectError(touchHardware(ctx))
    // @expect-error the _irq unlock of raw_spinlock_t 'hw'
    expectError(hw.withLockedIrq(ctx, () => 0))
  },
  options,
)
const noThread: IrqOptions = { noThread: true }
kernel.requestIrq(8, 'timer', (ctx) => hw.withLocked(ctx, () => 0), noThread)
