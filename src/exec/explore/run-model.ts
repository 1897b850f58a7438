/**
 * The explorer over the model executor: one RunExecution = one `runModel()` with the strategy as
 * its scheduler, the setup's declarations recorded (a proxy of the model kernel during setup), its
 * outcome and diagnostics turned into failures, and the shared cells' race detector made active.
 */
import type { Diagnostic } from '../../diagnostics/types.js'
import {
  ForgottenYieldError,
  InvalidArgumentError,
  PromiseInScopeError,
  SchedulingError,
  ShadowedContextError,
  StaleContextError,
  WrongCpuError,
} from '../../errors.js'
import type { ModelOutcome } from '../model/executor.js'
import type { ModelKernel } from '../model/model-kernel.js'
import { assertSyncSetup, defineModel, type Model, type ModelResult, modelExecutions } from '../model/run.js'
import type { Choice, Scheduler } from '../model/scheduler.js'
import { withActiveExecution } from './active.js'
import { NondeterministicModelError, ReplayError, StepLimitError } from './errors.js'
import type { Execution, Failure, KernelName, RunExecution } from './execution.js'
import { RaceDetector } from './kcsan.js'
import { className } from './witness.js'
import { DeclarationLog } from './declarations.js'
import { checkDeclarations } from './driver.js'
import { LockProbe, type ProbedLock } from './lock-probe.js'
import { Recorder } from './recorder.js'
import { PrunedExecution } from './strategy.js'

/** Kernel options an exploration passes to every execution (the kernel itself comes from `kernels`). */
export interface ModelRunOptions {
  readonly trace?: boolean
  readonly lockdep?: boolean
  readonly maxSteps?: number
  readonly irqArrivals?: number
}

/** Errors that are the model's own mistakes (not schedule-dependent findings): explore() throws them. */
const USAGE_ERRORS = [
  ForgottenYieldError,
  InvalidArgumentError,
  SchedulingError,
  StaleContextError,
  WrongCpuError,
  ShadowedContextError,
  PromiseInScopeError,
  NondeterministicModelError,
  ReplayError,
  StepLimitError,
  PrunedExecution,
] as const

const isUsageError = (e: unknown): boolean => USAGE_ERRORS.some((C) => e instanceof C)

/** Declarations after which nothing but locks and cells can be touched between points (./lock-probe.ts). */
const CLOSED = new Set(['rawSpinLock', 'spinLock', 'rwLock', 'mutex', 'rwSemaphore', 'spinLockIrq', 'localLock', 'task', 'irq', 'softirq', 'cell', 'perCpu'])
const isClosedDeclaration = (d: string): boolean => CLOSED.has(d.slice(0, d.indexOf('(')))
const isClosed = (declarations: readonly string[]): boolean => declarations.every(isClosedDeclaration)

const DEADLOCK_REPORTS: ReadonlySet<Diagnostic['kind']> = new Set(['deadlock', 'wait-forever'])

/**
 * The setup, seeing a kernel that records each declaration it makes (method name and plain
 * arguments) in `out.log` (./declarations.ts). One proxy for every execution (over the kernel of
 * the one running), with one wrapper per method: tasks read `k.cpuRelax` and the like at every step.
 */
const recording = <O extends readonly string[]>(model: Model<O>, out: { log: DeclarationLog | null }): Model<O> => {
  let k: ModelKernel<O> | null = null
  let inSetup = false
  const kernel = (): ModelKernel<O> => {
    if (k === null) throw new InvalidArgumentError('the model kernel was used outside an execution')
    return k
  }
  const wrappers = new Map<PropertyKey, (...args: unknown[]) => unknown>()
  // Over an empty target (the kernel's plugged members are read-only properties, which a proxy
  // of the kernel itself would have to return unchanged): members read from `k`, methods bound to it.
  const proxy = new Proxy(
    {},
    {
      get(_target, prop) {
        const now = kernel()
        const v: unknown = Reflect.get(now, prop, now)
        if (typeof v !== 'function') return v
        let w = wrappers.get(prop)
        if (w === undefined) {
          w = (...args: unknown[]) => {
            const at = kernel()
            if (inSetup) out.log?.record(String(prop), args)
            return (Reflect.get(at, prop, at) as (...a: unknown[]) => unknown).apply(at, args)
          }
          wrappers.set(prop, w)
        }
        return w
      },
      has: (_target, prop) => prop in kernel(),
    },
  ) as ModelKernel<O>
  return defineModel((given: ModelKernel<O>) => {
    k = given
    inSetup = true
    try {
      assertSyncSetup(model.setup(proxy))
    } finally {
      inSetup = false
    }
  }, model.options)
}

const failuresOf = (outcome: ModelOutcome, diagnostics: readonly Diagnostic[]): Failure[] => {
  const out: Failure[] = []
  const deadlocked = outcome.kind === 'deadlock'
  for (const d of diagnostics) {
    if (deadlocked && DEADLOCK_REPORTS.has(d.kind)) continue
    out.push({ kind: 'diagnostic', key: `diagnostic:${d.kind}:${d.title}`, title: d.title, report: d.report })
  }
  switch (outcome.kind) {
    case 'deadlock': {
      const reports = diagnostics.filter((d) => DEADLOCK_REPORTS.has(d.kind))
      const locks = [...new Set(outcome.stuck.map((s) => className(s.channel)))].sort()
      const who = outcome.stuck.map((s) => `${s.comm}:${s.pid}${s.inHardirq ? ' (in a hardirq handler)' : ''} on CPU ${s.cpu} waits on ${s.channel}`)
      out.unshift({
        kind: 'deadlock',
        key: `deadlock:${locks.join(',')}`,
        title: reports[0]?.title ?? `deadlock: ${who.join('; ')}`,
        report: [`deadlock: nothing can make progress — ${who.join('; ')}`, ...reports.map((d) => d.report)].join('\n\n'),
        locks,
      })
      break
    }
    case 'error': {
      const e = outcome.error
      if (isUsageError(e)) throw e
      const message = e instanceof Error ? `${e.name}: ${e.message}` : `thrown: ${String(e)}`
      out.push({
        kind: 'assertion',
        key: `assertion:${e instanceof Error ? e.message : String(e)}`,
        title: message,
        report: e instanceof Error && e.stack !== undefined ? e.stack : message,
      })
      break
    }
    case 'step-limit':
      out.push({
        kind: 'step-limit',
        key: 'step-limit',
        title: `the execution took more than ${outcome.steps} steps`,
        report: `step limit: ${outcome.steps} steps`,
      })
      break
    case 'completed':
      break
  }
  return out
}

/** A RunExecution over `model`: each kernel (and traced or not) runs on CPUs kept across its executions (../model/run.ts `modelExecutions`). */
export const modelRunner = <O extends readonly string[]>(model: Model<O>, options: ModelRunOptions = {}): RunExecution => {
  const declarations: { log: DeclarationLog | null } = { log: null }
  const recorded = recording(model, declarations)
  // One log per kernel: a setup may declare otherwise on PREEMPT_RT.
  const logs = new Map<KernelName, DeclarationLog>()
  // By kernel and traced or not: 0 normal, 1 normal traced, 2 rt, 3 rt traced.
  const runs: (((scheduler: Scheduler) => ModelResult) | undefined)[] = []
  const runFor = (kernel: KernelName, traced: boolean): ((scheduler: Scheduler) => ModelResult) => {
    const key = (kernel === 'rt' ? 2 : 0) + (traced ? 1 : 0)
    let run = runs[key]
    if (run === undefined) {
      run = modelExecutions(recorded, {
        preemptRt: kernel === 'rt',
        trace: traced || options.trace === true,
        ...(options.lockdep === undefined ? {} : { lockdep: options.lockdep }),
        ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
        ...(options.irqArrivals === undefined ? {} : { irqArrivals: options.irqArrivals }),
      })
      runs[key] = run
    }
    return run
  }
  return (kernel: KernelName, scheduler: Scheduler, traced = false): Execution => {
    let log = logs.get(kernel)
    if (log === undefined) {
      log = new DeclarationLog(isClosed)
      logs.set(kernel, log)
    }
    const declared = log
    declared.begin()
    declarations.log = declared
    const detector = new RaceDetector()
    let current: Choice | null = null
    const watching: Scheduler = {
      choose(choices, at) {
        const i = scheduler.choose(choices, at)
        current = choices[i] ?? null
        return i
      },
    }
    const attach = (locks: readonly ProbedLock[]): void => {
      if (scheduler instanceof Recorder) scheduler.probe = new LockProbe(locks, () => declared.closed())
    }
    const run = runFor(kernel, traced)
    const r = withActiveExecution({ detector, current: () => current, attach }, () => run(watching))
    let failures: Failure[]
    try {
      failures = failuresOf(r.outcome, r.diagnostics)
    } catch (error) {
      // A re-execution that went another way because its setup declared something else: name that.
      const first = declared.first()
      if (error instanceof NondeterministicModelError && first !== null) checkDeclarations(first, declared.list(), declared.executions)
      throw error
    }
    failures.push(...detector.failures())
    return { failures, trace: r.trace, declarations: declared.list() }
  }
}
