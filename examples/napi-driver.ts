/**
 * napi-driver — a small NAPI network driver on both kernels: the interrupt handler only calls
 * napi_schedule(); the NET_RX poll takes the ring's spinlock_t; a watchdog timer_list queues a
 * reset work item, which runs in a kworker under the config mutex. Then two bugs: a teardown that
 * calls timer_delete_sync() under the ring lock the watchdog takes (both kernels), and a TX
 * coalescing hrtimer in default mode taking that lock (normal kernel only: the RT conversion
 * story). Run alone: `npx tsx examples/napi-driver.ts`.
 */
import { createKernel, DeadlockError, type Kernel } from '../src/index.js'
import { keep, traceOption } from './shared.js'

export const title = 'napi-driver: hardirq → napi_schedule, NET_RX poll, a watchdog timer, a reset work'

const ETH0_IRQ = 11
const kernelName = (preemptRt: boolean): string => (preemptRt ? 'PREEMPT_RT' : 'normal kernel')

/** Where the code runs, read from the CPU view. */
const where = (kernel: Kernel): string => {
  const cpu = kernel.cpu(0)
  const kind = cpu.inHardirq() ? 'hardirq' : cpu.inServingSoftirq() ? 'softirq' : 'task'
  return `${cpu.current.comm} (${kind}${cpu.softirqCount() !== 0 ? ', BH off' : ''})`
}

interface Ring {
  rx: number
  received: number
}

/** The driver: probe() sets it up; `teardown` is how stop() deletes the watchdog; `coalesce` the hrtimer's mode. */
const driver = (preemptRt: boolean, options: { teardown?: 'under-lock' | 'first'; coalesce?: 'HRTIMER_MODE_REL' | 'HRTIMER_MODE_REL_SOFT' } = {}) => {
  const kernel = keep('napi-driver', createKernel({ preemptRt, ...traceOption() }))
  const ring = kernel.spinLock('ring_lock', { rx: 0, received: 0 } as Ring)
  const cfg = kernel.mutex('cfg_mutex', { resets: 0 })
  const wq = kernel.allocWorkqueue('eth0_wq')
  const seen: string[] = []
  // eth0_poll(): NET_RX softirq, budget 64; less than the budget → napi_complete_done().
  const napi = kernel.netifNapiAdd('eth0', (ctx, n, budget) => {
    seen.push(`poll in ${where(kernel)}`)
    const done = ring.withLocked(ctx, (_ctx, r) => {
      const k = Math.min(r.rx, budget)
      r.rx -= k
      r.received += k
      return k
    })
    if (done < budget) n.napiCompleteDone(ctx, done)
    return done
  })
  kernel.requestIrq(ETH0_IRQ, 'eth0', (ctx) => {
    napi.napiSchedule(ctx)
  })
  // eth0_reset_task(): process context, may sleep; the config mutex, then the ring lock (BH off: the poll takes it).
  const reset = kernel.initWork('&priv->reset_task', (ctx) => {
    seen.push(`reset in ${where(kernel)}`)
    cfg.withLocked(ctx, (ctx, c) => {
      c.resets++
      ring.withLockedBh(ctx, (_ctx, r) => {
        r.rx = 0
      })
      ctx.msleep(10) // the PHY settles
    })
  })
  // eth0_watchdog(): TIMER softirq (ktimers/0 on RT); a stuck ring queues the reset.
  const watchdog = kernel.timerSetup('&priv->watchdog', (ctx) => {
    seen.push(`watchdog in ${where(kernel)}`)
    if (ring.withLocked(ctx, (_ctx, r) => r.rx > 0)) wq.queueWork(ctx, reset)
  })
  // A TX coalescing timer, when the driver has one (its mode decides where it runs).
  const mode = options.coalesce
  const coalesce =
    mode === undefined
      ? null
      : kernel.hrtimerSetup(
          'tx_coalesce',
          (ctx) => {
            ring.withLocked(ctx, (_ctx, r) => void r.received)
            return 'HRTIMER_NORESTART'
          },
          mode,
        )
  const stop = (): string => {
    try {
      kernel.run((ctx) => {
        if (options.teardown === 'first') watchdog.timerDeleteSync(ctx)
        ring.withLockedBh(ctx, (ctx, r) => {
          if (options.teardown === 'under-lock') watchdog.timerDeleteSync(ctx)
          r.rx = 0
        })
      })
    } catch (error) {
      if (!(error instanceof DeadlockError)) throw error
    }
    return kernel.diagnostics.map((d) => d.title).join('; ') || 'no report'
  }
  return { kernel, ring, napi, watchdog, coalesce, seen, stop }
}

export const run = (log: (line: string) => void): void => {
  for (const preemptRt of [false, true]) {
    const name = kernelName(preemptRt)
    const d = driver(preemptRt)
    // Packets arrive: the device raises its interrupt; NAPI polls them 64 at a time.
    d.kernel.run((ctx) => {
      d.ring.withLockedBh(ctx, (_ctx, r) => {
        r.rx = 100
      })
      d.watchdog.modTimer(ctx, d.kernel.jiffies + 100)
    })
    d.kernel.raiseIrq(ETH0_IRQ)
    // The ring stalls: 5 more packets that nobody polls; the watchdog fires and queues the reset.
    d.kernel.run((ctx) =>
      d.ring.withLockedBh(ctx, (_ctx, r) => {
        r.rx = 5
      }),
    )
    d.kernel.advance(100)
    log(`${name}: ${[...new Set(d.seen)].join('; ')}`)
    log(`${name}: diagnostics: ${d.kernel.diagnostics.length}`)
  }
  log('Bug 1: stop() calls timer_delete_sync(&priv->watchdog) under ring_lock, which the watchdog takes:')
  for (const preemptRt of [false, true]) {
    const bad = driver(preemptRt, { teardown: 'under-lock' })
    bad.kernel.run((ctx) => bad.watchdog.modTimer(ctx, 1))
    bad.kernel.advance(1) // lockdep learns &priv->watchdog → ring_lock
    log(`  ${kernelName(preemptRt)}: ${bad.stop()}`)
    const fixed = driver(preemptRt, { teardown: 'first' })
    fixed.kernel.run((ctx) => fixed.watchdog.modTimer(ctx, 1))
    fixed.kernel.advance(1)
    log(`  ${kernelName(preemptRt)}, timer_delete_sync() first: ${fixed.stop()}`)
  }
  log('Bug 2 (the RT conversion story): a default-mode TX coalescing hrtimer takes ring_lock, which the poll takes with interrupts on:')
  for (const mode of ['HRTIMER_MODE_REL', 'HRTIMER_MODE_REL_SOFT'] as const) {
    for (const preemptRt of [false, true]) {
      const d = driver(preemptRt, { coalesce: mode })
      d.kernel.run((ctx) => {
        d.ring.withLockedBh(ctx, (_ctx, r) => {
          r.rx = 1
        })
        d.coalesce?.hrtimerStart(ctx, 1, mode)
      })
      d.kernel.raiseIrq(ETH0_IRQ)
      d.kernel.advance(1)
      const where = d.coalesce?.expiresIn ?? '?'
      log(`  ${mode}, ${kernelName(preemptRt)}: the callback in ${where}: ${d.kernel.diagnostics.map((x) => x.title).join('; ') || 'no report'}`)
    }
  }
  log('The fix is HRTIMER_MODE_REL_SOFT: the callback runs in softirq on both kernels, as PREEMPT_RT already ran it.')
}

if (import.meta.url === `file://${process.argv[1]}`) run((line) => console.log(line))
