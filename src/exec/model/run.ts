/**
 * `defineModel()` and `runModel()`: a model is a setup function run against a fresh model kernel
 * for every execution (loom's `model()`: state is rebuilt, never cloned); `runModel()` runs ONE
 * execution with a scheduler (default: ./default-scheduler.ts) and returns what happened.
 */
import { InvalidArgumentError, PromiseInScopeError } from '../../errors.js'
import { resolveOptions, type KernelOptions } from '../../options.js'
import type { Diagnostic } from '../../diagnostics/types.js'
import type { TraceEvent } from '../../machine/events.js'
import type { LockState, Task } from '../../machine/machine.js'
import type { CpuState } from '../../machine/cpu-state.js'
import { type LockGraph, lockGraphOf } from '../../export/lock-graph.js'
import { type LockdepProcFile, readProcFile } from '../../lockdep/proc.js'
import { createKernelParts, createKernelPartsOn, newCpuSet, reuseKernelParts } from '../parts.js'
import type { KernelParts } from '../executor.js'
import { defaultScheduler } from './default-scheduler.js'
import { ModelExecutor, type ModelOutcome } from './executor.js'
import { newModelKernel, retireModelKernel, type ModelKernel } from './model-kernel.js'
import type { Scheduler } from './scheduler.js'

/**
 * A model: its setup and the kernel options it was defined with (`cpus`, `lockOrder`, …).
 *
 * @example
 * ```ts
 * import { defineModel, type Model } from 'lockproof'
 *
 * const m: Model = defineModel((k) => { k.task('t', { cpu: 1 }, function* () {}) }, { cpus: 2 })
 * console.log(m.options.cpus) // 2
 * ```
 */
export interface Model<Order extends readonly string[] = readonly []> {
  /** Declares the model's locks, tasks and handlers on a fresh kernel; called once per execution. */
  readonly setup: (k: ModelKernel<Order>) => void
  /** The kernel options it was defined with. */
  readonly options: KernelOptions<Order>
}

/**
 * Defines a model. `options` are kernel options (`cpus`, `lockOrder`, `preemptRt`, …) that
 * `runModel()`'s own override (except `lockOrder`, which the types already used).
 *
 * @example
 * ```ts
 * import { defineModel, runModel } from 'lockproof'
 *
 * const abba = defineModel((k) => {
 *   const a = k.mutex('a', 0)
 *   const b = k.mutex('b', 0)
 *   k.task('one', { cpu: 0 }, function* (ctx) { yield* a.withLocked(ctx, function* (ctx) { yield* b.withLocked(ctx, function* () {}) }) })
 *   k.task('two', { cpu: 1 }, function* (ctx) { yield* b.withLocked(ctx, function* (ctx) { yield* a.withLocked(ctx, function* () {}) }) })
 * }, { cpus: 2, lockdep: false })
 * console.log(runModel(abba).outcome.kind) // 'completed' with the default scheduler: one task runs to its end first
 * ```
 */
export const defineModel = <const Order extends readonly string[] = readonly []>(
  setup: (k: ModelKernel<Order>) => void,
  options: KernelOptions<Order> = {},
): Model<Order> => {
  if (typeof setup !== 'function') throw new InvalidArgumentError('defineModel(): the setup must be a function (k) => { … }')
  return Object.freeze({ setup, options: Object.freeze({ ...options }) })
}

/**
 * How `runModel()` runs one execution: kernel options (they override the model's) and the scheduler.
 *
 * @example
 * ```ts
 * import { defaultScheduler, type RunModelOptions } from 'lockproof'
 *
 * const rt: RunModelOptions = { preemptRt: true, scheduler: defaultScheduler(), maxSteps: 1000, irqArrivals: 2 }
 * console.log(rt.preemptRt)
 * ```
 */
export interface RunModelOptions extends Omit<KernelOptions, 'lockOrder'> {
  /** Who picks at each point. Default {@link defaultScheduler}. */
  readonly scheduler?: Scheduler
  /** The most choices one execution may take (then the outcome is 'step-limit'). Default 100,000. */
  readonly maxSteps?: number
  /** How often each declared interrupt may arrive, unless its `arrivals` says. Default 1. */
  readonly irqArrivals?: number
}

/**
 * The machine after an execution, as plain data: each CPU's state, the tasks still alive (with
 * their `state` and wait channel), the locks (owner, readers), the clock, the event log.
 *
 * @example
 * ```ts
 * import { defineModel, runModel, type ModelMachine } from 'lockproof'
 *
 * const m: ModelMachine = runModel(defineModel((k) => { k.task('t', { cpu: 0 }, function* () {}) })).machine
 * console.log(m.clockMs, m.cpus[0]?.preemptCount, Object.keys(m.tasks).length) // 0 0 0
 * ```
 */
export interface ModelMachine {
  /** Each CPU's state, by id. */
  readonly cpus: readonly CpuState[]
  /** The tasks by pid that have not exited (a deadlocked execution's stuck ones among them). */
  readonly tasks: Readonly<Record<number, Task>>
  /** Every lock by id: kind, class, owner and readers. */
  readonly locks: readonly LockState[]
  /** Simulated time in milliseconds. */
  readonly clockMs: number
  /** The event log (`trace: true`). */
  readonly events: readonly TraceEvent[]
}

/**
 * One execution's result: how it ended, the diagnostics, the event log (with `trace: true`), the
 * machine as plain data, and the schedule (the choice index taken at each point: a replay).
 *
 * @example
 * ```ts
 * import { defineModel, runModel, type ModelResult } from 'lockproof'
 *
 * const r: ModelResult = runModel(defineModel((k) => { k.task('t', { cpu: 0 }, function* () {}) }))
 * console.log(r.outcome.kind, r.steps, r.diagnostics.length) // 'completed' 1 0
 * ```
 */
export interface ModelResult {
  /** How the execution ended. */
  readonly outcome: ModelOutcome
  /** Every report, oldest first (the deadlock reports included). */
  readonly diagnostics: readonly Diagnostic[]
  /** The event log (`trace: true`). */
  readonly trace: readonly TraceEvent[]
  /** The machine at the end, as plain data. */
  readonly machine: ModelMachine
  /** The choice index taken at each point: `replayScheduler(schedule)` re-runs the execution. */
  readonly schedule: readonly number[]
  /** How many choices were taken. */
  readonly steps: number
  /** lockdep's class graph after the execution, as `kernel.lockGraph()` gives it (read when called). */
  readonly lockGraph: () => LockGraph
  /** One of lockdep's /proc files after the execution, as `kernel.readProc()` gives it. */
  readonly readProc: (file: LockdepProcFile) => string
}

const MAX_STEPS = 100_000

/**
 * Runs one execution of `model`: a fresh model kernel, its setup, then choices until nothing is
 * left (completed, or deadlocked: nothing can make progress), an error, or the step limit.
 *
 * @example
 * ```ts
 * import { defineModel, runModel } from 'lockproof'
 *
 * const model = defineModel((k) => {
 *   const a = k.spinLock('a', { n: 0 })
 *   k.task('t1', { cpu: 0 }, function* (ctx) { yield* a.withLocked(ctx, function* (_ctx, d) { d.n++ }) })
 *   k.task('t2', { cpu: 1 }, function* (ctx) { yield* a.withLocked(ctx, function* (_ctx, d) { d.n++ }) })
 * }, { cpus: 2 })
 * console.log(runModel(model, { preemptRt: true }).outcome) // { kind: 'completed' }
 * ```
 */
export const runModel = <Order extends readonly string[]>(model: Model<Order>, options: RunModelOptions = {}): ModelResult => {
  assertModel(model)
  const { scheduler = defaultScheduler(), maxSteps = MAX_STEPS, irqArrivals = 1, ...kernel } = options
  return execute(model, createKernelParts(resolveOptions({ ...model.options, ...kernel })), scheduler, maxSteps, irqArrivals)
}

const assertModel = (model: unknown): void => {
  if (typeof model !== 'object' || model === null || typeof (model as { setup?: unknown }).setup !== 'function') {
    throw new InvalidArgumentError('runModel(): the model must come from defineModel()')
  }
}

/**
 * @internal `runModel(model, options)` made for many executions (the explorer's): each call runs
 * one execution with `scheduler`, on a kernel built on the same CPUs every time
 * (src/exec/parts.ts `reuseKernelParts`). The result is the same as runModel()'s; its `machine`
 * is that execution's until the next call.
 */
export const modelExecutions = <Order extends readonly string[]>(
  model: Model<Order>,
  options: Omit<RunModelOptions, 'scheduler'> = {},
): ((scheduler: Scheduler) => ModelResult) => {
  assertModel(model)
  const { maxSteps = MAX_STEPS, irqArrivals = 1, ...kernel } = options
  const cpus = newCpuSet(resolveOptions({ ...model.options, ...kernel }))
  let previous: ModelKernel<Order> | null = null
  return (scheduler) => {
    // The execution before has ended: its locks let go of it (a setup's closures would keep it
    // alive across young collections, which then promote it whole: BENCHMARKS.md).
    if (previous !== null) retireModelKernel(previous)
    // The first execution has the CPUs as made; each later one resets them.
    const parts = previous === null ? createKernelPartsOn(cpus) : reuseKernelParts(cpus)
    const exec = new ModelExecutor(parts)
    previous = newModelKernel<Order>(exec, parts, irqArrivals)
    return executeOn(model, parts, exec, previous, scheduler, maxSteps)
  }
}

/** One execution of `model` on a kernel made of `parts`. */
const execute = <Order extends readonly string[]>(
  model: Model<Order>,
  parts: KernelParts,
  scheduler: Scheduler,
  maxSteps: number,
  irqArrivals: number,
): ModelResult => {
  const exec = new ModelExecutor(parts)
  return executeOn(model, parts, exec, newModelKernel<Order>(exec, parts, irqArrivals), scheduler, maxSteps)
}

/** A setup declares synchronously: an async one would declare after the execution began (or never). */
export const assertSyncSetup = (returned: unknown): void => {
  if (typeof returned === 'object' && returned !== null && typeof (returned as { then?: unknown }).then === 'function')
    throw new PromiseInScopeError("the model's setup returned a Promise: a setup declares its locks, tasks and handlers synchronously (no async, no await)")
}

/** One execution of `model` on kernel `k` over `parts`, run by `exec`. */
const executeOn = <Order extends readonly string[]>(
  model: Model<Order>,
  parts: KernelParts,
  exec: ModelExecutor,
  k: ModelKernel<Order>,
  scheduler: Scheduler,
  maxSteps: number,
): ModelResult => {
  let outcome: ModelOutcome
  try {
    assertSyncSetup(model.setup(k))
    outcome = exec.run(scheduler, maxSteps)
  } catch (error) {
    outcome = { kind: 'error', error }
  }
  return {
    outcome,
    diagnostics: parts.reporter.diagnostics,
    trace: parts.machine.events,
    machine: parts.machine,
    schedule: exec.schedule,
    steps: exec.steps,
    lockGraph: () => lockGraphOf(parts.lockdep, parts.options.lockOrder),
    readProc: (file) => readProcFile(parts.lockdep, file),
  }
}
