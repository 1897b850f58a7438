// Valid code that must compile: recursive rwlock_t readers in interrupt context, and requestIrq
// with the exported IrqOptions type.
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
