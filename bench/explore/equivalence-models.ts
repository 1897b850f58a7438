/**
 * Models for ./equivalence.ts: between them every kind of lock, wait, handler and deferred member
 * a model can declare, and states an execution leaves behind (deadlocks inside sections,
 * sleepers, pending interrupts, lockdep reports), so that a change to how executions are built
 * shows in what they print.
 */
import {
  type AnyContext,
  type Context,
  defineModel,
  EDEADLK,
  type FreshTaskState,
  type HardIrqWorkState,
  type IrqWorkState,
  type Model,
  type ModelWork,
  type ModelWwMutex,
} from '../../src/index.js'
import { abbaMutex, abbaSpin, oneOrder, rfl998, rfl998TwoCpus } from '../../test/fixtures/models.js'
import { independent, philosophers, standardModel } from './models.js'

const spinAndIrq = (lockdep: boolean): Model =>
  defineModel(
    (k) => {
      const stats = k.spinLock('stats', 0)
      k.irq(5, { cpu: 0, name: 'eth0', arrivals: 2 }, function* (ctx) {
        yield* stats.withLocked(ctx, function* () {})
      })
      k.task('poller', { cpu: 0 }, function* (ctx) {
        yield* stats.withLocked(ctx, function* (ctx) {
          yield* k.cpuRelax(ctx)
        })
      })
    },
    { cpus: 1, lockdep },
  )

const mutexSleepers = defineModel(
  (k) => {
    const a = k.mutex('a', 0)
    const b = k.mutex('b', 0)
    k.task('one', { cpu: 0 }, function* (ctx) {
      yield* a.withLocked(ctx, function* (ctx) {
        yield* b.withLocked(ctx, function* () {})
      })
    })
    k.task('two', { cpu: 1 }, function* (ctx) {
      using g = yield* b.lock(ctx)
      yield* a.withLocked(g.ctx, function* () {})
    })
    k.task('three', { cpu: 1 }, function* (ctx) {
      yield* k.msleep(ctx, 3)
      yield* b.withLocked(ctx, function* () {})
    })
  },
  { cpus: 2 },
)

const timerDeleteSync = defineModel(
  (k) => {
    const lock = k.spinLock('priv->lock', { n: 0 })
    const t = k.timerSetup('&priv->timer', function* (ctx) {
      yield* lock.withLocked(ctx, function* (_ctx, d) {
        d.n++
      })
    })
    k.task('arm', { cpu: 1 }, function* (ctx) {
      t.modTimer(ctx, k.jiffies + 1)
      yield* k.cpuRelax(ctx)
    })
    k.task('stop', { cpu: 0 }, function* (ctx) {
      yield* lock.withLockedBh(ctx, function* (ctx) {
        yield* t.timerDeleteSync(ctx)
      })
    })
  },
  { cpus: 2 },
)

const flushOwnWork = defineModel(
  (k) => {
    const cfg = k.mutex('cfg', { resets: 0 })
    const wq = k.allocWorkqueue('eth0_wq', { unbound: false })
    const reset: ModelWork = k.initWork('&priv->reset_work', function* (ctx) {
      yield* cfg.withLocked(ctx, function* (_ctx, c) {
        c.resets++
      })
      yield* reset.flushWork(ctx)
    })
    k.task('probe', { cpu: 0 }, function* (ctx) {
      wq.queueWork(ctx, reset)
      yield* cfg.withLocked(ctx, function* (_ctx, c) {
        c.resets++
      })
    })
  },
  { cpus: 2 },
)

const semCompletionSignal = defineModel(
  (k) => {
    const sem = k.semaphore('s', 0)
    const done = k.completion('fw')
    const waiter = k.task('waiter', { cpu: 0 }, function* (ctx) {
      yield* sem.down(ctx)
      yield* done.waitForCompletionTimeout(ctx, 5)
    })
    k.task('poster', { cpu: 1 }, function* (ctx) {
      sem.up(ctx)
      yield* k.msleepInterruptible(ctx, 2)
      k.signal(waiter, 'SIGKILL')
    })
    k.irq(7, { cpu: 1, noThread: true }, function* (ctx) {
      done.complete(ctx)
    })
  },
  { cpus: 2 },
)

const rwAndRwsem = defineModel(
  (k) => {
    const routes = k.rwLock('routes', { hits: 0 })
    const mm = k.rwSemaphore('mmap_lock', { maps: 0 })
    k.task('reader', { cpu: 0 }, function* (ctx) {
      yield* routes.withRead(ctx, function* (ctx) {
        yield* k.cpuRelax(ctx)
      })
      yield* mm.withRead(ctx, function* () {})
    })
    k.task('writer', { cpu: 1 }, function* (ctx) {
      yield* mm.withLocked(ctx, function* (ctx, d) {
        d.maps++
        yield* routes.withLocked(ctx, function* (_ctx, r) {
          r.hits++
        })
      })
    })
    k.irq(5, { cpu: 1, name: 'eth0' }, function* (ctx) {
      yield* routes.withRead(ctx, function* () {})
    })
  },
  { cpus: 2 },
)

const waitQueueCondVar = defineModel(
  (k) => {
    const wq = k.waitQueue('rx_wait')
    const inner = k.spinLock('Process::inner', { outstanding: 1 })
    const cv = k.condVar('Process::freeze_wait')
    const ring = { ready: 0 }
    k.task('reader', { cpu: 0 }, function* (ctx) {
      yield* wq.waitEvent(ctx, () => ring.ready >= 1)
      using g = yield* inner.lock(ctx)
      while (g.data.outstanding > 0) yield* cv.wait(g)
    })
    k.task('nic', { cpu: 1 }, function* (ctx) {
      ring.ready = 1
      wq.wakeUp(ctx)
      const wake = yield* inner.withLocked(ctx, function* (_ctx, d) {
        d.outstanding--
        return d.outstanding === 0
      })
      if (wake) cv.notifyAll(ctx)
    })
  },
  { cpus: 2 },
)

const seqlockWriterReader = defineModel(
  (k) => {
    const sl = k.seqlock('sl', { v: 0 })
    k.task('writer', { cpu: 0 }, function* (ctx) {
      yield* sl.writeSeqlock(ctx, function* (ctx, d) {
        d.v = 1
        yield* k.cpuRelax(ctx)
        d.v = 2
      })
    })
    k.task('reader', { cpu: 1 }, function* (ctx) {
      yield* sl.read(ctx, (_ctx, d) => d.v)
    })
  },
  { cpus: 2, trace: true },
)

const taskletVsXmit = (bh: boolean): Model =>
  defineModel(
    (k) => {
      const lock = k.spinLock('priv->lock', { n: 0 })
      const rx = k.taskletSetup('rx_tasklet', function* (ctx) {
        yield* lock.withLocked(ctx, function* (_ctx, d) {
          d.n++
        })
      })
      k.irq(5, { cpu: 0, name: 'eth0' }, function* (ctx) {
        rx.taskletSchedule(ctx)
      })
      k.task('xmit', { cpu: 0 }, function* (ctx) {
        if (bh)
          yield* lock.withLockedBh(ctx, function* (ctx) {
            yield* k.cpuRelax(ctx)
          })
        else
          yield* lock.withLocked(ctx, function* (ctx) {
            yield* k.cpuRelax(ctx)
          })
      })
    },
    { cpus: 1, lockdep: false },
  )

const rcuUpdater = defineModel(
  (k) => {
    const gp = k.cell('gp', 1)
    const freed = k.cell('freed', 0)
    k.task('reader', { cpu: 0 }, function* (ctx) {
      yield* k.rcuReadLock(ctx, function* (ctx) {
        const p = yield* gp.readOnce(ctx)
        yield* k.cpuRelax(ctx)
        if ((yield* freed.readOnce(ctx)) >= p) throw new Error(`use after free: the reader's object ${p} was freed`)
      })
    })
    k.task('updater', { cpu: 1 }, function* (ctx) {
      yield* gp.writeOnce(ctx, 2)
      yield* k.callRcu(ctx, function* (ctx) {
        yield* freed.writeOnce(ctx, 1)
      })
    })
  },
  { cpus: 2, lockdep: false },
)

const perCpuRemote = defineModel(
  (k) => {
    const stats = k.perCpu('stats', () => ({ hits: 0 }))
    const pcl = k.localLock('pcp.lock', () => ({ n: 0 }))
    k.irq(5, { cpu: 0, name: 'eth0' }, function* (ctx) {
      yield* pcl.withLockedIrqSave(ctx, function* (_ctx, d) {
        d.n++
      })
    })
    k.task('counter', { cpu: 0 }, function* (ctx) {
      stats.thisCpuPtr(ctx).hits++
      yield* pcl.withLocked(ctx, function* (_ctx, d) {
        d.n++
      })
      yield* k.cpuRelax(ctx)
    })
    k.task('summer', { cpu: 1 }, function* (ctx) {
      return stats.perCpuPtr(ctx, 0).hits
    })
  },
  { cpus: 2 },
)

const irqWorkUnderLock = defineModel(
  (k) => {
    const log = k.rawSpinLock('logbuf', 0)
    const w = k.initIrqWork('flush', function* (ctx: Context<IrqWorkState | HardIrqWorkState>) {
      yield* log.withLocked(ctx, function* () {})
    })
    k.task('printk', { cpu: 0 }, function* (ctx) {
      const queue = function* (ctx: AnyContext) {
        w.irqWorkQueue(ctx)
        yield* k.cpuRelax(ctx)
      }
      yield* log.withLocked(ctx, queue)
    })
  },
  { cpus: 1 },
)

const delayedWorkCancel = defineModel(
  (k) => {
    const cfg = k.mutex('cfg', 0)
    const poll = k.initDelayedWork('&priv->poll', function* (ctx) {
      yield* cfg.withLocked(ctx, function* () {})
    })
    k.task('open', { cpu: 0 }, function* (ctx) {
      k.scheduleDelayedWork(ctx, poll, 1)
      yield* cfg.withLocked(ctx, function* (ctx) {
        yield* poll.cancelDelayedWorkSync(ctx)
      })
    })
  },
  { cpus: 2 },
)

type M = ModelWwMutex<'gpu_ww_class', { owner: string }>
/** test/ww/model.test.ts's two tasks taking two ww_mutexes of one class in opposite orders (wound-wait). */
const wwPair = defineModel(
  (k) => {
    const cls = k.defineWwClass('gpu_ww_class')
    const a: M = k.wwMutex(cls, { owner: '' })
    const b: M = k.wwMutex(cls, { owner: '' })
    const body = (order: readonly M[]) =>
      function* (ctx: Context<FreshTaskState>) {
        yield* cls.acquire(ctx, function* (ctx, actx) {
          let slow: M | null = null
          for (;;) {
            const held: M[] = slow === null ? [] : [slow]
            let contended: M | null = null
            for (const m of order) {
              if (m === slow) continue
              const r = yield* m.lock(ctx, actx)
              if (r === -EDEADLK) {
                contended = m
                break
              }
              held.push(m)
            }
            if (contended === null) break
            for (const m of held) m.unlock(ctx)
            yield* contended.lockSlow(ctx, actx)
            slow = contended
          }
          actx.done(ctx)
          b.unlock(ctx)
          a.unlock(ctx)
        })
      }
    k.task('one', { cpu: 0 }, body([a, b]))
    k.task('two', { cpu: 1 }, body([b, a]))
  },
  { cpus: 2 },
)

const cellsRace = defineModel(
  (k) => {
    const flag = k.cell('flag', 0)
    const m = k.spinLock('m', { n: 0 })
    k.irq(5, { cpu: 0, name: 'dev' }, function* (ctx) {
      yield* flag.writeOnce(ctx, 2)
    })
    k.task('a', { cpu: 0 }, function* (ctx) {
      yield* flag.writeOnce(ctx, 1)
      yield* m.withLocked(ctx, function* (_ctx, d) {
        d.n++
      })
    })
    k.task('b', { cpu: 1 }, function* (ctx) {
      yield* m.withLocked(ctx, function* (_ctx, d) {
        d.n += yield* flag.readOnce(ctx)
      })
    })
  },
  { cpus: 2, lockdep: false },
)

const softirqModel = defineModel(
  (k) => {
    const q = k.spinLock('q', 0)
    k.softirq(
      'NET_RX',
      function* (ctx) {
        yield* q.withLocked(ctx, function* () {})
      },
      { cpu: 0, raises: 1 },
    )
    k.irq(5, { cpu: 0, name: 'eth0' }, function* () {})
    k.task('tx', { cpu: 0 }, function* (ctx) {
      yield* q.withLockedBh(ctx, function* () {})
      yield* q.withLocked(ctx, function* () {})
    })
  },
  { cpus: 1 },
)

/** The models by name. */
export const EQUIVALENCE_MODELS: Readonly<Record<string, Model>> = {
  'standard (lockdep off)': standardModel(false),
  'standard (lockdep on)': standardModel(true),
  'philosophers 3': philosophers(3),
  'independent 2': independent(2),
  'abba spin': abbaSpin(),
  'abba spin irqsave lockdep': abbaSpin({ irqsave: true, lockdep: true }),
  'abba mutex lockdep': abbaMutex({ lockdep: true }),
  'one order': oneOrder(),
  '998 save-restore': rfl998('save-restore'),
  '998 counted': rfl998('counted'),
  '998 two cpus lockdep': rfl998TwoCpus(true),
  'spin + irq (lockdep off)': spinAndIrq(false),
  'spin + irq (lockdep on)': spinAndIrq(true),
  'mutex sleepers': mutexSleepers,
  timer_delete_sync: timerDeleteSync,
  'flush own work': flushOwnWork,
  'semaphore, completion, signal': semCompletionSignal,
  'rwlock and rwsem': rwAndRwsem,
  'wait queue and condvar': waitQueueCondVar,
  'seqlock (traced)': seqlockWriterReader,
  'tasklet vs xmit': taskletVsXmit(false),
  'tasklet vs xmit bh': taskletVsXmit(true),
  'rcu updater': rcuUpdater,
  'per-cpu and local lock': perCpuRemote,
  'irq work under a raw lock': irqWorkUnderLock,
  'delayed work cancel sync': delayedWorkCancel,
  'ww mutexes': wwPair,
  'cells race': cellsRace,
  'softirq NET_RX': softirqModel,
}
