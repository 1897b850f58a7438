// The README's programs, kept compiling: if this file breaks, the README is out of date.
import { expectError } from 'tsd'
import { createKernel, type IrqDisabled, RT_MUTEX } from '../src/index.js'

const kernel = createKernel({ preemptRt: false, cpus: 1 })

const stats = kernel.spinLock('stats', { hits: 0 })
const hw = kernel.rawSpinLock('hw', { reg: 0 })
const cfg = kernel.mutex('cfg', { mode: 'fast' })
const pcp = kernel.localLock('pcp', () => ({ n: 0 }))

const pokeRegister = (_ctx: IrqDisabled, value: number) => value

kernel.run((ctx) => {
  cfg.withLocked(ctx, (ctx, _c) => {
    stats.withLocked(ctx, (_ctx, s) => {
      s.hits++
    })
  })
  hw.withLockedIrqSave(ctx, (ctx, r) => pokeRegister(ctx, r.reg))
  hw.withLocked(ctx, (ctx) => {
    // @expect-error Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT and cannot be taken here (raw_spinlock_t 'hw' is held)
    expectError(stats.withLocked(ctx, () => 0))
  })
  pcp.withLocked(ctx, (_ctx, d) => {
    d.n++
  })
})

kernel.run((ctx) => {
  using g = stats.lockIrqSave(ctx)
  using h = hw.lock(g.ctx)
  h.data.reg++
})

kernel.run((ctx) => {
  stats.withLocked(ctx, (ctx) => {
    // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
    expectError(cfg.withLocked(ctx, () => 0))
  })
})

// docs/annotations.md, "Trylocks" (once in the README)
{
  const a = kernel.spinLock('a', 0)
  const b = kernel.spinLock('b', 0)
  kernel.run((ctx) => b.withLocked(ctx, (ctx) => a.withTryLocked(ctx, () => 0)))
}
// README, "Helpers".
import { helper, takes } from '../src/index.js'

const hk = createKernel({ lockOrder: ['cfg', 'stats'] })
const hcfg = hk.mutex('cfg', { mode: 'fast' })
const hstats = hk.spinLock('stats', { hits: 0 })
const reconfigure = helper({ name: 'reconfigure', takes: [takes(hcfg)] }, (ctx) =>
  hcfg.withLocked(ctx, (_ctx, c) => {
    c.mode = 'safe'
  }),
)
const countHit = helper({ name: 'count_hit', mustHold: [hstats] }, (_ctx, s: { hits: number }) => ++s.hits)
hk.run((ctx) => {
  reconfigure(ctx)
  hstats.withLocked(ctx, (ctx, s) => countHit(ctx, s))
  // @expect-error possible recursive locking detected: mutex 'cfg' is already held
  expectError(hcfg.withLocked(ctx, (ctx) => reconfigure(ctx)))
  // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
  expectError(hstats.withLocked(ctx, (ctx) => reconfigure(ctx)))
  // @expect-error lockdep_assert_held(stats): helper count_hit() must be called holding spinlock_t 'stats'
  expectError(countHit(ctx, { hits: 0 }))
})

// "Make a kind's locks through its factory": the README's example.
const newRtMutex = kernel.lockOf(RT_MUTEX)
const pi = newRtMutex('pi', { prio: 0 })
kernel.run((ctx) =>
  pi.withLocked(ctx, (ctx, p) => {
    ctx.msleep(1)
    p.prio++
  }),
)
