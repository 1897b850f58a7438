/**
 * Where a mechanism's softirq action (tasklets, RCU callbacks) runs its callbacks in a model, as
 * kernel/softirq.c runs softirqs:
 * - in `ksoftirqd/N` (a task of the model, its round stepped): at once, in that task;
 * - otherwise on a normal kernel (an irq exit, a `local_bh_enable()` in a task): in a frame over
 *   the interrupted task, `handle_softirqs()`'s SOFTIRQ_OFFSET held, interrupts on — it cannot
 *   sleep, and nothing else runs on that CPU until it ends;
 * - otherwise on PREEMPT_RT: in the task whose `local_bh_enable()` ran the softirqs
 *   (`__local_bh_enable_ip()` → `__do_softirq()`), BH off with SOFTIRQ_OFFSET — a sleeping lock
 *   sleeps that task. The model runs it at that task's next step, spliced into its generator
 *   (code of the same step after the enable runs first, as for the timer softirqs' frame; a task
 *   that ends in that very step leaves the round to the next softirq run on its CPU).
 * The callbacks of one CPU run in the order their softirqs were raised (HI before TASKLET before RCU).
 */
import type { Cpu } from '../../machine/cpu.js'
import { localIrqEnable } from '../../exec/delivery.js'
import { POINT, type Op, type WakeReason } from '../../exec/wait.js'
import type { Body, ModelTask } from '../../exec/model/executor.js'
import type { ModelDeferred } from './core.js'

/** One CPU's queued work, whether a frame or a splice will run it, and the task spliced into (RT). */
interface CpuWork {
  readonly queue: (() => Op<void>)[]
  installed: boolean
  target: ModelTask | null
}

const all = new WeakMap<ModelDeferred, CpuWork[]>()

const workOf = (d: ModelDeferred, cpu: Cpu): CpuWork => {
  let w = all.get(d)
  if (w === undefined) {
    w = d.parts.cpus.map(() => ({ queue: [], installed: false, target: null }))
    all.set(d, w)
  }
  return w[cpu.id] as CpuWork
}

/**
 * Runs `work` (a softirq action's callbacks on `cpu`) where the kernel runs the softirq `nr`
 * now; an op for the action to `yield*` (it yields only in ksoftirqd).
 */
export function* softirqWork(d: ModelDeferred, cpu: Cpu, nr: number, label: string, work: () => Op<void>): Op<void> {
  const run = d.exec.runs[cpu.id]
  if (run !== undefined && run.running !== null && run.running === run.ksoftirqd) {
    yield* work()
    return
  }
  const w = workOf(d, cpu)
  // A task that ended in the very step it was spliced into never ran the round: run it elsewhere
  // (its work only runs what the lists hold then, so a second run finds them empty).
  if (w.installed && w.target?.done === true) w.installed = false
  if (!w.installed) {
    if (!d.preemptRt) {
      d.exec.pushFrame(cpu, label, () => frameBody(cpu, w))
      w.target = null
    } else {
      const t = splice(d, cpu, () => rtTaskBody(cpu, w))
      if (t === null) {
        // No task runs the round (none to splice into): ksoftirqd takes the softirq over.
        cpu.state.softirqPending |= 1 << nr
        cpu.state.ksoftirqdWoken = true
        return
      }
      w.target = t
    }
    w.installed = true
  }
  w.queue.push(work)
}

function* drain(w: CpuWork): Op<void> {
  try {
    for (let next = w.queue.shift(); next !== undefined; next = w.queue.shift()) yield* next()
  } finally {
    w.installed = false
    w.queue.length = 0
  }
}

/** A softirq raised while the work ran is left to ksoftirqd (`handle_softirqs()` ends with `wakeup_softirqd()` while some are pending). */
const handOver = (cpu: Cpu): void => {
  if (cpu.state.softirqPending !== 0) cpu.state.ksoftirqdWoken = true
}

/** Normal kernel: `handle_softirqs()` over the interrupted task (SOFTIRQ_OFFSET unless served already). */
function* frameBody(cpu: Cpu, w: CpuWork): Body {
  const serving = cpu.inServingSoftirq()
  if (!serving) cpu.softirqsBegin()
  try {
    yield* drain(w)
  } finally {
    if (!serving) {
      cpu.softirqsEnd()
      handOver(cpu)
    }
  }
}

/**
 * PREEMPT_RT: `__do_softirq()` in the task that turned BH back on — SOFTIRQ_OFFSET on its BH count
 * (in_serving_softirq()), interrupts on; lockproof enters it as `ksoftirqd_run_begin()` does.
 */
function* rtTaskBody(cpu: Cpu, w: CpuWork): Body {
  const s = cpu.state
  // ksoftirqd_run_begin() clears a pending wake-up of ksoftirqd: keep it.
  const woken = s.ksoftirqdWoken
  cpu.ksoftirqdRunBegin()
  s.ksoftirqdWoken = woken
  localIrqEnable(cpu)
  try {
    yield* drain(w)
  } finally {
    cpu.localIrqDisable()
    cpu.ksoftirqdRunEnd()
    localIrqEnable(cpu)
    handOver(cpu)
  }
}

/**
 * Runs `body` in the task running on `cpu`, before the rest of its generator: its next step is
 * an empty one (the step the task's last point declared what it touches for), then `body`,
 * then the task goes on, resumed as it would have been. Null if no task runs there.
 */
const splice = (d: ModelDeferred, cpu: Cpu, body: () => Body): ModelTask | null => {
  const t = d.exec.runs[cpu.id]?.running ?? null
  const orig = t?.frame.gen ?? null
  if (t === null || orig === null) return null
  const w = spliced(orig, body)
  // Primed to its first yield, so that the executor's next resume (meant for `orig`) reaches it.
  w.next()
  t.frame.gen = w
  return t
}

function* spliced(orig: Op<unknown>, body: () => Body): Op<unknown> {
  const resume: WakeReason | undefined = yield POINT
  yield POINT
  yield* body()
  let r = orig.next(resume)
  while (r.done !== true) r = orig.next(yield r.value)
  return r.value
}
