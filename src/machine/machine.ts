/**
 * The machine: everything one run changes, as plain data with numeric ids — the CPUs, the tasks
 * (each with its own held-lock stack, as `task_struct` keeps `held_locks[]`), the locks (owner,
 * readers), the clock, the pid counter and the event log. Nothing in it points outside it (no
 * lock objects, lockdep classes or chains, user data, handlers): `structuredClone(machine)`
 * copies a run's whole state, and two runs of one program give equal machines.
 *
 * Internal: the public views are `kernel.snapshot()`, `kernel.cpu(i)` and `kernel.trace`.
 */
import type { CpuState, TaskStruct } from './cpu-state.js'
import type { HeldLock, LockId } from './held-lock.js'
import type { LockdepKind } from '../lockdep/maps.js'
import type { KernelWarning } from '../diagnostics/proof-diagnostics.js'
import type { TraceEvent } from './events.js'

export type { LockId } from './held-lock.js'

/** A task as the machine keeps it: its counters and its held-lock stack (lockdep's `held_locks[]`). */
export interface Task extends TaskStruct {
  /** What the task holds, outermost first: one entry per acquisition, lockdep's maps included. */
  readonly held: HeldLock[]
  /** `task->__state`: TASK_RUNNING, or the state it waits in (the model executor; include/linux/sched.h). */
  state: 'TASK_RUNNING' | 'TASK_UNINTERRUPTIBLE' | 'TASK_INTERRUPTIBLE' | 'TASK_KILLABLE' | 'TASK_RTLOCK_WAIT'
  /** The wait channel's id while it waits (-1: not waiting), and its kind ('' when none). */
  waitChannel: number
  waitChannelKind: string
}

/** A CPU as the machine keeps it: the public state plus what the runtime counts per CPU. */
export interface MachineCpu extends CpuState {
  current: Task
  readonly idle: Task
  /**
   * How many live contexts on this CPU carry each proof (IrqDisabled, PreemptDisabled,
   * BhDisabled): state, since whether a transition falsifies a proof depends on them.
   */
  claimIrq: number
  claimPreempt: number
  claimBh: number
  /** lockdep's `curr->hardirq_threaded`: the hardirq handler running now would be threaded on RT. */
  hardirqThreaded: boolean
}

/**
 * One lock (or lockdep map) by id: what it is and who owns it. The owner is a (pid, cpu) pair,
 * since every CPU's idle task is pid 0. Owners are flat numbers, not records: a fresh object per
 * acquisition would cost an allocation and a write barrier on the hot path.
 */
export interface LockState {
  readonly id: LockId
  /** The lock kind, one of lockdep's maps, or a bare `lockdep_map`. */
  readonly kind: LockdepKind
  /** The lock class name it was made with. */
  readonly name: string
  /** The lockdep key's name: the class name unless `lockdep_set_class()` changed it. */
  key: string
  /** The writer's pid, or -1 when no task holds it for writing. */
  writerPid: number
  /** The CPU the writer took it on (-1 when free). */
  writerCpu: number
  /**
   * The writer's comm ('' when free): a report names the holder by it even after the task has
   * left `tasks` (a task that exits leaves the machine, its lock's owner fields may outlive it).
   */
  writerComm: string
  /** The readers' pids, in acquisition order (a task that read-locks twice appears twice). */
  readonly readerPids: number[]
  /** The CPU each reader took it on, index for index with `readerPids`. */
  readonly readerCpus: number[]
  /** Each reader's comm, index for index with `readerPids`. */
  readonly readerComms: string[]
  /** Bumped whenever the lock's queue of waiters changes (the model's wake policy): the explorer's probe reads it. */
  queueSeq: number
}

/** The whole state of one run. */
export interface Machine {
  readonly cpus: MachineCpu[]
  /** The running and interrupted tasks by pid (idle tasks are each CPU's `idle`). Exited tasks are removed. */
  readonly tasks: Record<number, Task>
  readonly locks: LockState[]
  /** Simulated time in milliseconds (msleep advances it). */
  clockMs: number
  /** The pid the next task gets. */
  nextPid: number
  /** The event log (only with `trace: true`; empty otherwise). */
  readonly events: TraceEvent[]
  /** The kernel's `WARN_ON_ONCE()` sites that have fired (kernel/softirq.c, kernel/irq/handle.c), in firing order. */
  readonly warned: KernelWarning[]
  /** The `WARN_ON_ONCE()` sites of lockdep assertions (`lockdep_assert_held_once()`, …) that have fired. */
  readonly warnedAsserts: string[]
}

/** Lock ids the machine reserves: lockdep's own maps and the allocator's zone->lock. */
export const RCU_LOCK_MAP_ID: LockId = 0
export const BH_LOCK_MAP_ID: LockId = 1
export const ZONE_LOCK_ID: LockId = 2
export const RCU_BH_LOCK_MAP_ID: LockId = 3
export const RCU_SCHED_LOCK_MAP_ID: LockId = 4

export interface MachineOptions {
  readonly cpus: number
}

// One object literal each, every field in one order: every task and every CPU of every kernel
// shares one hidden class (a spread or a later field type change gave each kernel its own, and
// the hot paths went megamorphic after a dozen kernels).
export const createTask = (pid: number, comm: string): Task => ({
  pid,
  comm,
  migrationDisabled: 0,
  rcuReadLockNesting: 0,
  softirqDisableCnt: 0,
  held: [],
  state: 'TASK_RUNNING',
  waitChannel: -1,
  waitChannelKind: '',
})

/** CPU `id` of a new machine (a bare CPU for tests of the CPU layer). */
export const createMachineCpu = (id: number): MachineCpu => {
  const idle = createTask(0, `swapper/${id}`)
  return {
    id,
    preemptCount: 0,
    irqsDisabled: false,
    interruptDisableCount: 0,
    interruptDisableSaved: null,
    nmiNesting: 0,
    pendingIrqs: [],
    softirqPending: 0,
    ksoftirqdWoken: false,
    wokenIrqThreads: [],
    current: idle,
    idle,
    claimIrq: 0,
    claimPreempt: 0,
    claimBh: 0,
    hardirqThreaded: false,
  }
}

/**
 * CPU `state` back as {@link createMachineCpu} made it, in place (its idle task too): a kernel
 * rebuilt on the CPUs of the last execution (src/exec/parts.ts). test/model/reuse.test.ts checks
 * that the result equals a fresh CPU, field for field.
 */
export const resetMachineCpu = (s: MachineCpu): void => {
  const idle = s.idle
  idle.migrationDisabled = 0
  idle.rcuReadLockNesting = 0
  idle.softirqDisableCnt = 0
  idle.held.length = 0
  idle.state = 'TASK_RUNNING'
  idle.waitChannel = -1
  idle.waitChannelKind = ''
  s.preemptCount = 0
  s.irqsDisabled = false
  s.interruptDisableCount = 0
  s.interruptDisableSaved = null
  s.nmiNesting = 0
  s.pendingIrqs = []
  s.softirqPending = 0
  s.ksoftirqdWoken = false
  s.wokenIrqThreads = []
  s.current = idle
  s.claimIrq = 0
  s.claimPreempt = 0
  s.claimBh = 0
  s.hardirqThreaded = false
}

/** A new machine; `cpus`: CPU states to use (fresh ones, or ones {@link resetMachineCpu} reset), else new ones. */
export const createMachine = (options: MachineOptions, cpus?: readonly MachineCpu[]): Machine => {
  const machine: Machine = {
    cpus: cpus === undefined ? Array.from({ length: options.cpus }, (_, i) => createMachineCpu(i)) : [...cpus],
    tasks: {},
    locks: [],
    clockMs: 0,
    nextPid: 1,
    events: [],
    warned: [],
    warnedAsserts: [],
  }
  addLock(machine, 'rcu_read_lock', 'rcu_read_lock')
  addLock(machine, 'local_bh', 'local_bh')
  addLock(machine, 'spinlock_t', 'zone->lock')
  addLock(machine, 'rcu_read_lock_bh', 'rcu_read_lock_bh')
  addLock(machine, 'rcu_read_lock_sched', 'rcu_read_lock_sched')
  return machine
}

/** A new lock's entry; its id is its index. */
export const addLock = (machine: Machine, kind: LockdepKind, name: string): LockState => {
  const lock: LockState = {
    id: machine.locks.length,
    kind,
    name,
    key: name,
    writerPid: -1,
    writerCpu: -1,
    writerComm: '',
    readerPids: [],
    readerCpus: [],
    readerComms: [],
    queueSeq: 0,
  }
  machine.locks.push(lock)
  return lock
}

/** A new task with the next pid, entered in `machine.tasks`. */
export const spawnTask = (machine: Machine, comm: (pid: number) => string): Task => {
  const pid = machine.nextPid++
  const task = createTask(pid, comm(pid))
  machine.tasks[pid] = task
  return task
}

/** The task exited: it leaves the machine. */
export const exitTask = (machine: Machine, task: Task): void => {
  delete machine.tasks[task.pid]
}
