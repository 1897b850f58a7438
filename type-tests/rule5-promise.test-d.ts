// Rule 5: a callback of an atomic section (or any scope) that returns a Promise or a thenable.
import { expectError, expectType } from 'tsd'
import { createKernel } from '../src/index.js'

const kernel = createKernel()
const stats = kernel.spinLock('stats', 0)
const hw = kernel.rawSpinLock('hw', 0)
const pcp = kernel.localLock('pcp', () => 0)
// biome-ignore lint/suspicious/noThenProperty: the point of this test is a thenable that is not a Promise
const thenable = { then: (resolve: (v: number) => void) => resolve(1) }

kernel.run((ctx) => {
  // @expect-error Promise: a section holding spinlock_t 'stats' must finish synchronously
  expectError(stats.withLocked(ctx, async () => 1))
  // @expect-error Promise: a section holding raw_spinlock_t 'hw' must finish synchronously
  expectError(hw.withLockedIrqSave(ctx, () => Promise.resolve(1)))
  // @expect-error Promise: a section holding local_lock_t 'pcp'
  expectError(pcp.withLocked(ctx, () => thenable))
  // @expect-error Promise: a preempt_disable() section must finish synchronously
  expectError(ctx.preemptDisable(async () => undefined))
  // @expect-error Promise: a local_irq_save() section
  expectError(ctx.core.localIrqSave(() => Promise.resolve()))
  // @expect-error Promise: an RCU read-side section
  expectError(ctx.rcuReadLock(async () => 0))
  // @expect-error Promise: a local_bh_disable() section
  expectError(ctx.localBhDisable(async () => 0))
  // A plain value flows out unchanged.
  expectType<{ readonly hits: number }>(stats.withLocked(ctx, (_ctx, n) => ({ hits: n }) as const))
})

// The root scopes too: a task and every handler must finish synchronously.
// @expect-error Promise: a task must finish synchronously
expectError(kernel.run(async () => 1))
// @expect-error Promise: a task must finish synchronously
expectError(kernel.run(() => thenable))
// @expect-error Promise: an interrupt handler must finish synchronously
expectError(kernel.requestIrq(3, 'nic', async () => undefined))
// @expect-error Promise: an interrupt handler must finish synchronously
expectError(kernel.requestIrq(4, 'timer', async () => undefined, { noThread: true }))
// @expect-error Promise: a softirq handler must finish synchronously
expectError(kernel.openSoftirq('NET_RX', async () => undefined))
// @expect-error Promise: an NMI handler must finish synchronously
expectError(kernel.requestNmi('perf', () => Promise.resolve()))
// Synchronous handlers and tasks, with any result, are fine.
expectType<number>(kernel.run(() => 1))
kernel.requestIrq(5, 'dev', () => 1)
kernel.openSoftirq('TIMER', () => undefined)
kernel.requestNmi('watchdog', () => undefined)
