/**
 * lock-graph — a small driver as a model module for the `lockproof` command line, and the
 * source of the README's picture of lockdep's class graph (`npm run pictures`):
 *
 *   npx lockproof run examples/lock-graph.ts --svg graph.svg --perfetto trace.json
 *
 * The interrupt handler takes dev_lock; the receive softirq reads stats_lock; configuration
 * takes cfg_mutex → dev_lock with interrupts saved, and the firmware loader takes fw_mutex →
 * cfg_mutex while the reset path takes cfg_mutex → fw_mutex: lockdep reports the cycle, and the
 * declared lock order (cfg_mutex, fw_mutex, dev_lock) is broken by the loader.
 */
import type { Kernel } from '../src/index.js'

export const options = { lockOrder: ['cfg_mutex', 'fw_mutex', 'dev_lock'], lockdep: { keepGoing: true } } as const

export default (kernel: Kernel): void => {
  const dev = kernel.spinLock('dev_lock', { regs: 0 })
  const stats = kernel.rwLock('stats_lock', { packets: 0 })
  const cfg = kernel.mutex('cfg_mutex', { mtu: 1500 })
  const fw = kernel.mutex('fw_mutex', { version: 1 })

  kernel.openSoftirq('NET_RX', (ctx) => stats.withRead(ctx, () => 0))
  kernel.requestIrq(11, 'eth0', (ctx) =>
    dev.withLocked(ctx, (c, d) => {
      d.regs++
      c.raiseSoftirq('NET_RX')
    }),
  )

  kernel.run(
    (ctx) =>
      stats.withWriteBh(ctx, (c, s) => {
        s.packets = 0
        dev.withLockedIrqSave(c, () => 0)
      }),
    { comm: 'stats-reset' },
  )
  kernel.run(
    (ctx) =>
      cfg.withLocked(ctx, (c) => {
        dev.withLockedIrqSave(c, (_c, d) => {
          d.regs = 0
        })
        fw.withLocked(c, () => 0)
      }),
    { comm: 'eth0-reset' },
  )
  kernel.run((ctx) => stats.withReadIrqSave(ctx, (c) => dev.withLocked(c, () => 0)), { comm: 'stats-dump' })
  kernel.run((ctx) => ctx.raiseIrq(11), { comm: 'idle' })
  kernel.run((ctx) => fw.withLocked(ctx, (c) => cfg.withLocked(c, () => 0)), { comm: 'fw-loader' })
}
