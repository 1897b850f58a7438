/**
 * Data races on watched data (a lock's data, a per-CPU variable: ./watched.ts), the way KCSAN
 * finds them: an access lingers, and a conflicting access from another context while it lingers
 * is a data race (kernel/kcsan/core.c, report.c). A property access has no scheduling point of
 * its own, so an access lingers from where it is made until its context takes its next step — the
 * explorer may run anything meanwhile — unless the context gave up, within the same step, what
 * kept others out when it made the access:
 * - a lock it held then (an unlock is a release: the access is done before it),
 * - preemption or interrupts it had off then (preempt_enable(), local_irq_restore(), the end of a
 *   handler: only now can the CPU's other code run).
 * A context that never steps again (a task that ended) keeps its last accesses in flight.
 * Nothing else is bookkeeping: a lock held around both accesses, preemption off on one CPU, RT's
 * per-CPU local_lock_t spinlock keep the two apart by scheduling, so a race is reported only
 * when the explorer really brings two accesses into flight together.
 */
import type { HeldLock } from '../../../locks/held.js'
import { isLockdepMap } from '../../../lockdep/maps.js'
import { lockName } from '../../../lockdep/splat.js'
import type { Choice } from '../../model/scheduler.js'
import type { Access, WaitChannel } from '../../wait.js'
import { activeExecution, type ActiveExecution } from '../active.js'
import type { AccessSite, InFlight, RaceDetector } from '../kcsan.js'
import { Contexts, type SiteCpu } from './site.js'
import { type StepWatcher, watching } from './slot.js'

/** What the watch reads of a CPU and its task (src/machine/cpu.ts), by shape. */
export interface WatchCpu extends SiteCpu {
  readonly current: { readonly pid: number; readonly comm: string; readonly held: readonly HeldLock[]; readonly state: string }
  readonly preemptCount: number
  readonly irqsDisabled: boolean
}

/** Where a watched object sits: the channel its steps touch (for the explorer's dependence) and its path for reports. */
export interface WatchedRoot {
  readonly channel: WaitChannel
  /** `stats`, `stats.list`, `per_cpu(pcp, 1)`: the location's name is this and the key. */
  readonly path: string
}

type Task = WatchCpu['current']

/** One access made and maybe still in flight. */
interface Made {
  readonly target: object
  readonly key: PropertyKey
  readonly root: WatchedRoot
  readonly write: boolean
  readonly site: AccessSite
  /** The step's thread: the running choice's task (or handler) it was made in. */
  readonly thread: string
  readonly cpu: WatchCpu
  readonly task: Task
  /** What kept others out when it was made. */
  readonly held: readonly HeldLock[]
  readonly preempt: number
  readonly irqsOff: boolean
}

/** The context of the code running now, as the last access found it. */
interface Who {
  readonly running: Choice
  readonly task: Task
  readonly count: number
  readonly site: AccessSite
  readonly thread: string
}

/** The key of the property list itself: reading it (Object.keys, for…in) conflicts with adding or deleting a property. */
export const KEYS: unique symbol = Symbol('keys')

const keyPart = (key: PropertyKey): string =>
  key === KEYS ? '.(keys)' : typeof key === 'string' && /^\d+$/.test(key) ? `[${key}]` : typeof key === 'string' ? `.${key}` : `[${String(key)}]`

/** The thread a step belongs to: a task's steps, or one handler invocation's (its label). */
const threadOf = (c: Choice): string => (c.kind === 'task' ? `${c.pid}:${c.comm}` : `${c.kind}:${c.cpu}`)

/** `N locks held by comm/pid:` as CONFIG_KCSAN_VERBOSE prints them (lockdep_print_held_locks(), the class and kind only). */
const heldLines = (task: Task, held: readonly HeldLock[]): string[] =>
  held.length === 0
    ? [`no locks held by ${task.comm}/${task.pid}.`]
    : [
        `${held.length} lock${held.length === 1 ? '' : 's'} held by ${task.comm}/${task.pid}:`,
        ...held.map((h, i) => ` #${i}: (${h.name})${isLockdepMap(h.kind) ? '' : `, ${lockName(h)}`}`),
      ]

/** One execution's watched accesses: those of the step now running, and those still in flight from earlier steps. */
export class DataRaces implements StepWatcher {
  readonly #active: ActiveExecution
  readonly #cpus: readonly WatchCpu[]
  readonly #contexts = new Contexts()
  #open: Made[] = []
  readonly #pending: Made[] = []
  #touched: WaitChannel | null = null
  #touchedWrite = false
  #touchedMany = false

  constructor(active: ActiveExecution, cpus: readonly WatchCpu[]) {
    this.#active = active
    this.#cpus = cpus
    watching(this)
  }

  get detector(): RaceDetector {
    return this.#active.detector
  }

  /** A read or write of `target[key]` by the code running now; a conflicting access in flight from another context is a race. */
  access(target: object, key: PropertyKey, write: boolean, root: WatchedRoot): void {
    // Outside this execution's steps (its setup, or after it ended): nothing runs concurrently.
    if (activeExecution() !== this.#active) return
    const running = this.#active.current()
    if (running === null) return
    const cpu = this.#cpus[running.cpu]
    if (cpu === undefined) return
    this.#touch(root.channel, write)
    const { site, thread } = this.#who(running, cpu)
    const pending = this.#pending
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i] as Made
      if (p.target === target && p.key === key && p.site.context === site.context && (p.write || !write)) return
    }
    const task = cpu.current
    const made: Made = { target, key, root, write, site, thread, cpu, task, held: task.held.slice(), preempt: cpu.preemptCount, irqsOff: cpu.irqsDisabled }
    const open = this.#open
    for (let i = 0; i < open.length; i++) {
      const r = open[i] as Made
      // Its own thread running again has gone on past it (it is closed at that step's end).
      if (r.target !== target || r.key !== key || !(r.write || write) || r.site.context === site.context || r.thread === thread) continue
      this.detector.report(this.#inFlight(r), this.#inFlight(made), root.channel.name) // one report per lock's data / per-CPU variable and pair of functions
    }
    pending.push(made)
  }

  /**
   * The step of `choice` ended (the explorer's lock probe, at the next point): its thread's
   * earlier accesses are over, this step's stay in flight unless it gave up what kept others out.
   * Returns what the step touched: one root's channel, null for several, undefined for none.
   */
  stepEnded(choice: Choice): Access | null | undefined {
    const thread = threadOf(choice)
    // Its accesses from earlier steps end here: this step is where they stop being in flight,
    // so it is ordered against the others' accesses like the access itself (a cell's second point).
    if (this.#open.length > 0)
      this.#open = this.#open.filter((r) => {
        if (r.thread !== thread) return true
        this.#touch(r.root.channel, r.write)
        return false
      })
    const pending = this.#pending
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i] as Made
      if (!gaveUp(p)) this.#open.push(p)
    }
    pending.length = 0
    const touched = this.#touched
    if (touched === null) return undefined
    const many = this.#touchedMany
    const write = this.#touchedWrite
    this.#touched = null
    this.#touchedMany = false
    this.#touchedWrite = false
    return many ? null : { channel: touched, write }
  }

  /** Who runs now: the last access's answer while the same step runs in the same context (most accesses). */
  #who(running: Choice, cpu: WatchCpu): Who {
    const task = cpu.current
    // preempt_count() holds the NMI, hardirq and (normal kernel) softirq bits: a new context on this CPU changes it.
    const count = cpu.preemptCount
    const last = this.#last
    if (last !== null && last.running === running && last.task === task && last.count === count) return last
    const who: Who = { running, task, count, site: this.#contexts.site(cpu, running), thread: threadOf(running) }
    this.#last = who
    return who
  }
  #last: Who | null = null

  #touch(channel: WaitChannel, write: boolean): void {
    if (this.#touched === null) {
      this.#touched = channel
      this.#touchedWrite = write
    } else if (this.#touched !== channel) this.#touchedMany = true
    else if (write) this.#touchedWrite = true
  }

  #inFlight(m: Made): InFlight {
    return { cell: `${m.root.path}${keyPart(m.key)}`, write: m.write, marked: false, site: m.site, verbose: heldLines(m.task, m.held) }
  }
}

/** Since the access, within its step, the context released a lock it held or turned preemption / interrupts back on. */
const gaveUp = (m: Made): boolean => {
  const held = m.task.held
  for (let i = 0; i < m.held.length; i++) if (!held.includes(m.held[i] as HeldLock)) return true
  if (m.cpu.current !== m.task) {
    // Off its CPU within the step: asleep (it keeps its locks and sleeps at its base count), or
    // ended — then what kept others out was given up on the way out; an unprotected access stays in flight.
    return m.task.state === 'TASK_RUNNING' && (m.held.length > 0 || m.preempt > 0 || m.irqsOff)
  }
  return m.cpu.preemptCount < m.preempt || (m.irqsOff && !m.cpu.irqsDisabled)
}

const races = new WeakMap<RaceDetector, DataRaces>()

/** This execution's watch (made on first use, with the execution's CPUs). */
export const dataRacesOf = (active: ActiveExecution, cpus: readonly WatchCpu[]): DataRaces => {
  let r = races.get(active.detector)
  if (r === undefined) {
    r = new DataRaces(active, cpus)
    races.set(active.detector, r)
  }
  return r
}
