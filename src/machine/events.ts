/**
 * The machine's event log: one typed record per state change, discriminated by `event`, named
 * after the kernel's tracepoint or function. Renderers (formatTrace(), traceToJson(), later
 * exporters) read these fields; the formatted text is output, never data.
 */
import type { Diagnostic, DiagnosticKind } from '../diagnostics/types.js'
import type { AnyKindName } from '../kinds/kind-of.js'

/**
 * One state change of a simulated CPU, as the trace records it: the fields every event has
 * (where, who, the CPU state after it) and, by `event`, its own typed fields.
 *
 * @example
 * ```ts
 * import { createKernel, type TraceEvent } from 'lockproof'
 *
 * const kernel = createKernel({ trace: true })
 * const stats = kernel.spinLock('stats', { hits: 0 })
 * kernel.run((ctx) => stats.withLocked(ctx, (_ctx, s) => { s.hits++ }))
 * const locks = (e: TraceEvent) => (e.event === 'lock' ? [`${e.comm} took ${e.lockKind} '${e.name}'`] : [])
 * console.log(kernel.trace.flatMap(locks)) // ["task-1 took spinlock_t 'stats'"]
 * ```
 */
export type TraceEvent = {
  /** Position in the whole trace, from 0. */
  readonly seq: number
  /** The CPU it happened on. */
  readonly cpu: number
  /** The running task's pid (0: idle). */
  readonly pid: number
  /** The running task's name. */
  readonly comm: string
  /** preempt_count after the change. */
  readonly preemptCount: number
  /** Interrupts were off after the change. */
  readonly irqsDisabled: boolean
  /** The five latency-format columns after the change, e.g. `d.h1.` (irqs-off/BH, need-resched, hardirq/softirq, preempt depth, migrate-disable). */
  readonly flags: string
  /** The simulated clock (`kernel.clockMs`) after the change: exporters place the event in time with it. */
  readonly clockMs: number
} & (
  | {
      /** A CPU primitive of the kernel's name, with no arguments. */
      readonly event:
        | 'preempt_disable'
        | 'preempt_enable'
        | 'local_irq_disable'
        | 'local_irq_enable'
        | 'local_irq_save'
        | 'local_irq_restore'
        | 'local_interrupt_disable'
        | 'local_interrupt_enable'
        | 'migrate_disable'
        | 'migrate_enable'
        | 'rcu_read_lock'
        | 'rcu_read_unlock'
        | 'local_bh_disable'
        | 'local_bh_enable'
        | 'irq_enter'
        | 'irq_exit'
        | 'nmi_enter'
        | 'nmi_exit'
    }
  | {
      /** `raise_softirq(nr)`. */
      readonly event: 'raise_softirq'
      /** The softirq number. */
      readonly vec: number
    }
  | {
      /** `handle_softirqs()` begins or ends. */
      readonly event: 'handle_softirqs'
      /** Which end. */
      readonly phase: 'begin' | 'end'
    }
  | {
      /** A device asserted an interrupt line (taken at once, or pending while interrupts are off). */
      readonly event: 'irq_raise'
      /** The interrupt line. */
      readonly line: number
    }
  | {
      /** An interrupt with no handler (`handle_bad_irq()`). */
      readonly event: 'spurious_irq'
      /** The interrupt line. */
      readonly line: number
    }
  | {
      /** The hardirq handler starts, or (force-threaded) only wakes its thread. */
      readonly event: 'irq_handler_entry'
      /** The interrupt line. */
      readonly line: number
      /** The handler's name (`request_irq()`'s `name`). */
      readonly name: string
      /** Force-threaded: the primary handler only wakes `irq/<line>-<name>`. */
      readonly wake: boolean
    }
  | {
      /** The hardirq handler returned. */
      readonly event: 'irq_handler_exit'
      /** The interrupt line. */
      readonly line: number
      /** The handler's name. */
      readonly name: string
    }
  | {
      /** A softirq's handler starts, ends, or (none opened) is skipped. */
      readonly event: 'softirq_entry' | 'softirq_exit' | 'softirq_unhandled'
      /** The softirq number. */
      readonly vec: number
      /** Its name (`TIMER`, `NET_RX`, …; the number when it has none). */
      readonly action: string
    }
  | {
      /** The CPU switches tasks (the common `pid` and `comm` are the next task's). */
      readonly event: 'sched_switch'
      /** The task switched out. */
      readonly prevPid: number
      /** Its name. */
      readonly prevComm: string
      /** The task switched in. */
      readonly nextPid: number
      /** Its name. */
      readonly nextComm: string
    }
  | {
      /** A lock was taken or released (`lock_acquire()` / `lock_release()` of a lock). */
      readonly event: 'lock' | 'unlock'
      /** The lock's id in this kernel (distinct per lock object). */
      readonly lock: number
      /** Its kind. */
      readonly lockKind: AnyKindName
      /** Its lock class name. */
      readonly name: string
      /** A read acquisition (rwlock_t, rw_semaphore readers). */
      readonly read: boolean
    }
  | {
      /** A bare lockdep map acquired or released. */
      readonly event: 'lock_map_acquire' | 'lock_map_acquire_try' | 'lock_map_acquire_read' | 'lock_map_release'
      /** The map's id in this kernel. */
      readonly lock: number
      /** Its class name. */
      readonly name: string
    }
  | {
      /** `msleep(ms)`: the clock moved on. */
      readonly event: 'msleep'
      /** Milliseconds slept. */
      readonly ms: number
    }
  | {
      /** `kmalloc(size, gfp)`. */
      readonly event: 'kmalloc'
      /** Bytes. */
      readonly size: number
      /** The allocation flags. */
      readonly gfp: 'GFP_KERNEL' | 'GFP_ATOMIC'
    }
  | {
      /**
       * `sched_waking` (the model executor): a waiting task is made runnable. Fields as the
       * tracepoint's (include/trace/events/sched.h: comm, pid, target_cpu); the common `pid` and
       * `comm` are the waker's.
       */
      readonly event: 'sched_waking'
      /** The woken task. */
      readonly wakePid: number
      /** Its name. */
      readonly wakeComm: string
      /** The CPU it will run on. */
      readonly targetCpu: number
    }
  | {
      /** The running task starts to wait (the model executor): `set_current_state()` then `schedule()`, or a spin. */
      readonly event: 'sched_wait'
      /** The state it waits in (TASK_RUNNING: it spins). */
      readonly state: 'TASK_RUNNING' | 'TASK_UNINTERRUPTIBLE' | 'TASK_INTERRUPTIBLE' | 'TASK_KILLABLE' | 'TASK_RTLOCK_WAIT'
      /** What it waits on, as `kind 'name'`. */
      readonly channel: string
    }
  | {
      /** A report was made (the diagnostic is in `kernel.diagnostics`). */
      readonly event: 'diagnostic'
      /** Its kind. */
      readonly kind: DiagnosticKind
      /** Its title, as the kernel prints it. */
      readonly title: string
      /** The diagnostic itself (its full `report` text and its own fields), as `kernel.diagnostics` has it. */
      readonly diagnostic: Diagnostic
    }
)

/** The fields the machine fills in for every event. */
type CommonField = 'seq' | 'cpu' | 'pid' | 'comm' | 'preemptCount' | 'irqsDisabled' | 'flags' | 'clockMs'

/** What a call site reports: an event without the common fields. */
export type TracePayload = TraceEvent extends infer E ? (E extends TraceEvent ? Omit<E, CommonField> : never) : never
