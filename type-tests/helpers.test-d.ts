// Helpers (docs/helpers.md): a body checks against the weakest state its declaration allows;
// every call site checks each declared effect with the messages of direct code.
import { expectError, expectType } from 'tsd'
import { type AnyContext, createKernel, helper, type IrqDisabled, type Sleepable, takes } from '../src/index.js'

const kernel = createKernel({ lockOrder: ['cfg', 'port', 'stats'] })
const cfg = kernel.mutex('cfg', { mode: 'fast' })
const port = kernel.spinLock('port', { tx: 0 })
const stats = kernel.spinLock('stats', { n: 0 })
const hw = kernel.rawSpinLock('hw', { reg: 0 })
const other = kernel.spinLock('other', 0)

// ── valid: callback and guard forms, several locks, helpers calling helpers ─────────────────
const consoleWrite = helper({ name: 'serial8250_console_write', takes: [takes(port, 'irqsave')] }, (ctx, s: string) =>
  port.withLockedIrqSave(ctx, (_ctx, p) => (p.tx += s.length)),
)
const consoleWriteGuard = helper({ name: 'console_write_guard', takes: [takes(port, 'irqsave')] }, (ctx) => {
  using g = port.lockIrqSave(ctx)
  return g.data.tx
})
const both = helper({ name: 'both', takes: [takes(port), takes(stats)] }, (ctx) => port.withLocked(ctx, (ctx) => stats.withLocked(ctx, (_ctx, s) => s.n)))
const reconfigure = helper({ name: 'reconfigure', takes: [takes(cfg)] }, (ctx) =>
  cfg.withLocked(ctx, (ctx, c) => {
    ctx.msleep(1)
    c.mode = 'safe'
  }),
)
const rxChars = helper({ name: 'serial8250_rx_chars', mustHold: [port] }, (ctx) => ctx.cpuId)
const handleIrq = helper({ name: 'serial8250_handle_irq', takes: [takes(port, 'irqsave')], calls: [rxChars] }, (ctx) =>
  port.withLockedIrqSave(ctx, (ctx) => rxChars(ctx)),
)
const outer = helper({ name: 'outer', calls: [consoleWrite] }, (ctx) => consoleWrite(ctx, 'x'))
const poke = helper({ name: 'poke', needs: { irq: true } }, (ctx) => hwPoke(ctx))
const hwPoke = (_ctx: IrqDisabled): number => 1
const sleeper = helper({ name: 'sleeper', mightSleep: true }, (ctx) => ctx.msleep(1))

kernel.run((ctx) => {
  expectType<number>(consoleWrite(ctx, 'hi'))
  consoleWriteGuard(ctx)
  both(ctx)
  reconfigure(ctx)
  outer(ctx)
  handleIrq(ctx)
  sleeper(ctx)
  cfg.withLocked(ctx, (ctx) => {
    consoleWrite(ctx, 'under the mutex: declared order cfg → port')
    reconfigure // (taking cfg again would be recursion: see below)
  })
  port.withLocked(ctx, (ctx) => rxChars(ctx))
  hw.withLockedIrqSave(ctx, (ctx) => poke(ctx))
  other.withLocked(ctx, (ctx) => consoleWrite(ctx, 'undeclared classes are not ordered'))
})

// ── recursion, order, wait context, sleeping, through a helper ────────────────────────────
kernel.run((ctx) => {
  port.withLocked(ctx, (ctx) => {
    // @expect-error possible recursive locking detected: spinlock_t 'port' is already held
    expectError(consoleWrite(ctx, 'AA'))
    // @expect-error possible recursive locking detected: spinlock_t 'port' is already held
    expectError(outer(ctx))
  })
  stats.withLocked(ctx, (ctx) => {
    // @expect-error lock order: 'port' is declared before 'stats', so it cannot be taken while 'stats' is held
    expectError(consoleWrite(ctx, 'ABBA'))
    // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
    expectError(reconfigure(ctx))
    // @expect-error helper sleeper() may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
    expectError(sleeper(ctx))
  })
  hw.withLocked(ctx, (ctx) => {
    // @expect-error Invalid wait context: spinlock_t 'port' is a sleeping lock on PREEMPT_RT and cannot be taken here (raw_spinlock_t 'hw' is held)
    expectError(consoleWrite(ctx, 'raw'))
  })
  // @expect-error lockdep_assert_held(port): helper serial8250_rx_chars() must be called holding spinlock_t 'port', and it is not held here
  expectError(rxChars(ctx))
  // @expect-error IrqDisabled: helper poke() needs interrupts disabled on both kernels, and nothing here disables them (task context)
  expectError(poke(ctx))
  port.withLockedIrqSave(ctx, (ctx) => {
    // @expect-error IrqDisabled: helper poke() needs interrupts disabled on both kernels, and they are off only on a normal kernel (spinlock_t 'port' is held)
    expectError(poke(ctx))
  })
})
kernel.requestIrq(4, 'ttyS0', (ctx) => {
  // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context
  expectError(reconfigure(ctx))
  consoleWrite(ctx, 'spinlock_t in a threadable handler: fine')
})

// ── the body: only declared locks, only what every valid caller allows ─────────────────────
helper({ name: 'sneaky', takes: [takes(port)] }, (ctx) => {
  // @expect-error helper: spinlock_t 'stats' is taken in a helper body but not declared; add takes(stats)
  expectError(stats.withLocked(ctx, () => 0))
  port.withLocked(ctx, (ctx) => {
    // @expect-error possible recursive locking detected: spinlock_t 'port' is already held
    expectError(port.withLocked(ctx, () => 0))
  })
})
helper({ name: 'spinner', takes: [takes(port)] }, (ctx) => {
  // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (in helper spinner(), whose declaration allows no sleeping
  expectError(cfg.withLocked(ctx, () => 0))
  // @expect-error msleep() may sleep
  expectError(ctx.msleep(1))
  // @expect-error IrqDisabled
  expectError(hwPoke(ctx))
})
helper({ name: 'ordered', takes: [takes(port), takes(stats)] }, (ctx) => {
  stats.withLocked(ctx, (ctx) => {
    // @expect-error lock order: 'port' is declared before 'stats', so it cannot be taken while 'stats' is held
    expectError(port.withLocked(ctx, () => 0))
  })
})
helper({ name: 'calls_undeclared' }, (ctx) => {
  // @expect-error (in helper calls_undeclared(), whose declaration allows only raw spinning locks (add takes of the lock))
  expectError(consoleWrite(ctx, 'x'))
})
helper({ name: 'calls_undeclared_too', takes: [takes(stats)] }, (ctx) => {
  // @expect-error helper: spinlock_t 'port' is taken in a helper body but not declared; add takes(port) (or the helper that takes it, to calls)
  expectError(consoleWrite(ctx, 'x'))
})
helper({ name: 'rx_again', mustHold: [port] }, (ctx) => {
  rxChars(ctx) // the lock it must hold is held, for its callees too
  // @expect-error possible recursive locking detected: spinlock_t 'port' is already held
  expectError(port.withLocked(ctx, () => 0))
})
helper({ name: 'plain_only', takes: [takes(port)] }, (ctx) => {
  // @expect-error ends in local_irq_enable()
  expectError(port.withLockedIrq(ctx, () => 0))
})
const irqForm = helper({ name: 'irq_form', takes: [takes(port, 'irq')] }, (ctx) => port.withLockedIrq(ctx, () => 0))
kernel.run((ctx) => {
  irqForm(ctx)
  port.withLockedIrqSave(ctx, () => 0)
  other.withLockedIrqSave(ctx, (ctx) => {
    // @expect-error ends in local_irq_enable()
    expectError(irqForm(ctx))
  })
})

// ── item 2 and 3: proof types and any do not erase the rules ──────────────────────────────
const viaProof = (ctx: Sleepable) => {
  // @expect-error held locks unknown: mutex 'cfg' cannot be checked for recursion or lock order in a context typed with a proof
  expectError(cfg.withLocked(ctx, () => 0))
  // @expect-error held locks unknown: spinlock_t 'port' cannot be checked
  expectError(consoleWrite(ctx, 'x'))
  sleeper(ctx) // no lock taken: a proof is enough
}
// biome-ignore lint/suspicious/noExplicitAny: the test is that Context<any> is refused
type AnyCtx = import('../src/index.js').Context<any>
const withAny = (c: AnyCtx) => {
  // @expect-error Context<any>: a context whose state is 'any' switches every rule off
  expectError(cfg.withLocked(c, () => 0))
  // @expect-error Context<any>: a context whose state is 'any' switches every rule off
  expectError(consoleWrite(c, 'x'))
  // @expect-error switches every rule off
  expectError(c.msleep(1))
}
// The form: `<C extends Context<any>>(c: C)`, a mutex under a spinlock_t.
const genericAny = <C extends AnyCtx>(c: C) => {
  // @expect-error Context<any>: a context whose state is 'any' switches every rule off
  expectError(cfg.withLocked(c, () => 0))
}
kernel.run((ctx) => stats.withLocked(ctx, (ctx) => genericAny(ctx)))
// A proof-typed function that takes no lock is fine, and keeps working as before.
const log = (ctx: AnyContext) => ctx.cpuId
kernel.run((ctx) => port.withLocked(ctx, (ctx) => log(ctx)))
void viaProof
void withAny

// needs: which proof, and why it is missing.
const pinned = helper({ name: 'this_cpu_op', needs: { preempt: true } }, () => 0)
const bhSafe = helper({ name: 'napi_op', needs: { bh: true } }, () => 0)
kernel.run((ctx) => {
  ctx.preemptDisable((ctx) => pinned(ctx))
  ctx.localBhDisable((ctx) => bhSafe(ctx))
  port.withLocked(ctx, (ctx) => {
    // @expect-error PreemptDisabled: helper this_cpu_op() needs preemption disabled on both kernels, and it is not (spinlock_t 'port' is held): spinlock_t, rwlock_t and local_lock_t leave it on under PREEMPT_RT
    expectError(pinned(ctx))
  })
  // @expect-error BhDisabled: helper napi_op() needs bottom halves disabled on both kernels, and they are not (task context)
  expectError(bhSafe(ctx))
})
