/**
 * Random small models for the explorer's differential tests (./dpor-differential.test.ts and
 * bench/dpor/differential.ts): a model is plain data (CPUs, locks of several kinds, cells, a
 * completion, an interrupt line, a softirq, deferred work and each context's ops), built into a
 * model the way an untyped JavaScript caller would write it (the generated ops do not follow the
 * compile-time rules, so the builder calls the model kernel's methods by name). Every execution
 * records what each context saw (its log), the final state and its failures: the explorer's
 * strategies are compared on the SET of these outcomes.
 */
import fc from 'fast-check'
import type { ExploreOptions } from '../../src/exec/explore/options.js'
import type { RunExecution } from '../../src/exec/explore/execution.js'
import { exploreRuns } from '../../src/exec/explore/explore-runs.js'
import { modelRunner } from '../../src/exec/explore/run-model.js'
import { type ExploreResult, type KernelName, SchedulingError } from '../../src/index.js'
import { defineModel, type Model, type ModelKernel, type ModelTaskHandle, type Op as ModelOp } from '../../src/index.js'

export type LockKind = 'spinLock' | 'rawSpinLock' | 'rwLock' | 'mutex'
/** How a section takes its lock: the `with*` member (or `guard`: `lock()` and a plain `unlock()`). */
export type Variant = 'plain' | 'irqsave' | 'bh' | 'read' | 'try' | 'guard'
/** The synchronous deferred members (and `callRcu`, an op), each on the model's one object of its kind. */
export type DeferredOp = 'modTimer' | 'timerDelete' | 'queueWork' | 'cancelWork' | 'taskletSchedule' | 'irqWorkQueue' | 'callRcu'

export type Op =
  | { readonly op: 'section'; readonly lock: number; readonly variant: Variant; readonly body: readonly Op[] }
  /** Inside a section: read its lock's data and write it back plus one (the lock data's race detection and probe). */
  | { readonly op: 'bump' }
  | { readonly op: 'read' | 'write'; readonly cell: number }
  | { readonly op: 'relax' }
  | { readonly op: 'wait' | 'complete' }
  /** `try_wait_for_completion()`: synchronous, its result logged. */
  | { readonly op: 'tryWait' }
  /** `k.signal()` to a task (SIGINT), and `msleep_interruptible()` (which a signal ends early). */
  | { readonly op: 'signal'; readonly task: number }
  | { readonly op: 'sleep' }
  | { readonly op: DeferredOp }

/** The contexts the deferred objects' callbacks run in (each has its own ops). */
export type Callback = 'timer' | 'work' | 'tasklet' | 'irqWork' | 'rcu'

export interface ModelSpec {
  readonly cpus: number
  readonly locks: readonly LockKind[]
  readonly cells: number
  readonly tasks: readonly { readonly cpu: number; readonly ops: readonly Op[] }[]
  readonly irq: { readonly cpu: number; readonly ops: readonly Op[] } | null
  readonly softirq: { readonly cpu: number; readonly ops: readonly Op[] } | null
  readonly callbacks: Readonly<Partial<Record<Callback, readonly Op[]>>>
}

const CALLBACK_OF: Readonly<Record<DeferredOp, Callback>> = {
  modTimer: 'timer',
  timerDelete: 'timer',
  queueWork: 'work',
  cancelWork: 'work',
  taskletSchedule: 'tasklet',
  irqWorkQueue: 'irqWork',
  callRcu: 'rcu',
}

// ── building a model from a spec ──────────────────────────────────────────────────────────

type Method = (...args: unknown[]) => unknown

/** A member called by name, as plain JavaScript would (the random ops do not follow the type rules). */
const method = (o: object, name: string): Method => {
  const f: unknown = Reflect.get(o, name)
  if (typeof f !== 'function') throw new Error(`${name} is not a method here`)
  return (...args) => Reflect.apply(f, o, args)
}
const isOp = (x: unknown): x is ModelOp<unknown> => typeof x === 'object' && x !== null && typeof Reflect.get(x, 'next') === 'function'
const op = (x: unknown): ModelOp<unknown> => {
  if (!isOp(x)) throw new Error('expected an op')
  return x
}

const SECTION: Readonly<Record<Variant, string>> = {
  plain: 'withLocked',
  irqsave: 'withLockedIrqSave',
  bh: 'withLockedBh',
  read: 'withRead',
  try: 'withTryLocked',
  guard: 'lock',
}
/** The `with*` member of `variant` on a lock of `kind` (rwLock's irqsave and bh sections are its write sections). */
const sectionMember = (kind: LockKind, variant: Variant): string =>
  kind === 'rwLock' && variant === 'irqsave' ? 'withWriteIrqSave' : kind === 'rwLock' && variant === 'bh' ? 'withWriteBh' : SECTION[variant]

/** One execution's observations: each context's log and each callback run's. */
interface Observed {
  readonly logs: string[][]
  readonly runs: string[][]
  readonly runNames: string[]
  readonly lockData: { n: number }[]
  cells: { peek(): unknown }[]
}

interface Env {
  readonly k: ModelKernel
  readonly locks: readonly { readonly kind: LockKind; readonly lock: object }[]
  readonly cells: readonly object[]
  readonly done: object | null
  readonly deferred: Partial<Record<Callback, object>>
  wq: object | null
  rcuCallback: ((ctx: unknown) => ModelOp<unknown>) | null
  readonly tasks: ModelTaskHandle[]
  /** Each log's writer, for the values it writes (its name and how far it got: the same in every order of independent steps). */
  readonly writer: WeakMap<string[], string>
}

function* runOps(env: Env, ctx: unknown, ops: readonly Op[], log: string[], data: object | null): ModelOp<void> {
  for (const o of ops) yield* runOp(env, ctx, o, log, data)
}

function* runOp(env: Env, ctx: unknown, o: Op, log: string[], data: object | null): ModelOp<void> {
  switch (o.op) {
    case 'section': {
      const l = env.locks[o.lock]
      if (l === undefined) throw new Error(`no lock ${o.lock}`)
      if (o.variant === 'guard') {
        const g: unknown = yield* op(method(l.lock, 'lock')(ctx))
        if (typeof g !== 'object' || g === null) throw new Error('lock() gave no guard')
        yield* runOps(env, Reflect.get(g, 'ctx'), o.body, log, dataOf(Reflect.get(g, 'data')))
        method(g, 'unlock')()
        return
      }
      const r: unknown = yield* op(
        method(l.lock, sectionMember(l.kind, o.variant))(ctx, function* (inner: unknown, d: unknown): ModelOp<void> {
          yield* runOps(env, inner, o.body, log, dataOf(d))
        }),
      )
      if (o.variant === 'try') log.push(`try:${r === null || r === undefined || r === false ? 'busy' : 'got'}`)
      return
    }
    case 'bump': {
      if (data === null) return
      const n: unknown = Reflect.get(data, 'n')
      log.push(`n=${String(n)}`)
      if (typeof n === 'number') Reflect.set(data, 'n', n + 1)
      return
    }
    case 'read': {
      const c = env.cells[o.cell]
      if (c === undefined) throw new Error(`no cell ${o.cell}`)
      log.push(`c${o.cell}=${String(yield* op(method(c, 'read')(ctx)))}`)
      return
    }
    case 'write': {
      const c = env.cells[o.cell]
      if (c === undefined) throw new Error(`no cell ${o.cell}`)
      const v = `${env.writer.get(log) ?? '?'}.${log.length}`
      log.push(`w${o.cell}`)
      yield* op(method(c, 'write')(ctx, v))
      return
    }
    case 'relax':
      yield* op(method(env.k, 'cpuRelax')(ctx))
      return
    case 'wait':
      if (env.done !== null) yield* op(method(env.done, 'waitForCompletion')(ctx))
      return
    case 'complete':
      if (env.done !== null) method(env.done, 'complete')(ctx)
      return
    case 'tryWait':
      if (env.done !== null) log.push(`try:${String(method(env.done, 'tryWaitForCompletion')(ctx))}`)
      return
    case 'signal': {
      const t = env.tasks[o.task]
      if (t !== undefined) env.k.signal(t, 'SIGINT')
      return
    }
    case 'sleep':
      log.push(`slept:${String(yield* op(method(env.k, 'msleepInterruptible')(ctx, 10)))}`)
      return
    case 'modTimer':
      log.push(`mod:${String(method(need(env.deferred.timer), 'modTimer')(ctx, env.k.jiffies + 1))}`)
      return
    case 'timerDelete':
      log.push(`del:${String(method(need(env.deferred.timer), 'timerDelete')(ctx))}`)
      return
    case 'queueWork':
      log.push(`queue:${String(method(need(env.wq), 'queueWork')(ctx, need(env.deferred.work)))}`)
      return
    case 'cancelWork':
      log.push(`cancel:${String(method(need(env.deferred.work), 'cancelWork')(ctx))}`)
      return
    case 'taskletSchedule':
      method(need(env.deferred.tasklet), 'taskletSchedule')(ctx)
      return
    case 'irqWorkQueue':
      log.push(`irqwork:${String(method(need(env.deferred.irqWork), 'irqWorkQueue')(ctx))}`)
      return
    case 'callRcu':
      yield* op(method(env.k, 'callRcu')(ctx, need(env.rcuCallback)))
      return
  }
}

const need = <T>(x: T | null | undefined): T => {
  if (x === null || x === undefined) throw new Error('the spec uses an object it did not declare')
  return x
}
const dataOf = (d: unknown): object | null => (typeof d === 'object' && d !== null ? d : null)
const object = (x: unknown): object => {
  if (typeof x !== 'object' || x === null) throw new Error('expected an object')
  return x
}

/** Every op of a list, sections' bodies included. */
export const allOps = function* (ops: readonly Op[]): Generator<Op> {
  for (const o of ops) {
    yield o
    if (o.op === 'section') yield* allOps(o.body)
  }
}
const contexts = (spec: ModelSpec): (readonly Op[])[] => [
  ...spec.tasks.map((t) => t.ops),
  ...(spec.irq === null ? [] : [spec.irq.ops]),
  ...(spec.softirq === null ? [] : [spec.softirq.ops]),
  ...Object.values(spec.callbacks),
]
/** The deferred objects the spec's ops use (only those are declared). */
export const usedCallbacks = (spec: ModelSpec): Set<Callback> => {
  const used = new Set<Callback>()
  for (const ops of contexts(spec)) for (const o of allOps(ops)) if (o.op in CALLBACK_OF) used.add(CALLBACK_OF[o.op as DeferredOp])
  return used
}

/**
 * The model of `spec`; `observed()` is the last execution's observations (reset by each setup).
 * Deferred objects, the completion and the interrupt are declared only when used.
 */
export const buildModel = (spec: ModelSpec): { model: Model<readonly []>; observed: () => Observed } => {
  let now: Observed | null = null
  const used = usedCallbacks(spec)
  const usesDone = contexts(spec).some((ops) => [...allOps(ops)].some((o) => o.op === 'wait' || o.op === 'complete' || o.op === 'tryWait'))
  const model = defineModel(
    (k) => {
      const obs: Observed = { logs: spec.tasks.map(() => []), runs: [], runNames: [], lockData: [], cells: [] }
      now = obs
      const locks = spec.locks.map((kind, i) => {
        const data = { n: 0 }
        obs.lockData.push(data)
        return { kind, lock: object(method(k, kind)(`L${i}`, data)) }
      })
      const cells = Array.from({ length: spec.cells }, (_, i) => k.cell(`C${i}`, 0))
      obs.cells = cells
      const deferred: Partial<Record<Callback, object>> = {}
      const env: Env = {
        k,
        locks,
        cells,
        done: usesDone ? k.completion('done') : null,
        deferred,
        wq: null,
        rcuCallback: null,
        tasks: [],
        writer: new WeakMap(),
      }
      const run = (name: string, ops: readonly Op[], ctx: unknown): ModelOp<void> => {
        const mine: string[] = []
        env.writer.set(mine, name)
        obs.runs.push(mine)
        obs.runNames.push(name)
        return runOps(env, ctx, ops, mine, null)
      }
      const cb = (name: Callback): readonly Op[] => spec.callbacks[name] ?? []
      if (used.has('timer')) deferred.timer = k.timerSetup('timer', (ctx) => run('timer', cb('timer'), ctx))
      if (used.has('work')) {
        env.wq = k.allocWorkqueue('wq')
        deferred.work = k.initWork('work', (ctx) => run('work', cb('work'), ctx))
      }
      if (used.has('tasklet')) deferred.tasklet = k.taskletSetup('tasklet', (ctx) => run('tasklet', cb('tasklet'), ctx))
      if (used.has('irqWork')) deferred.irqWork = k.initIrqWork('irqWork', (ctx) => run('irqWork', cb('irqWork'), ctx))
      if (used.has('rcu')) env.rcuCallback = (ctx: unknown) => run('rcu', cb('rcu'), ctx)
      for (const [i, l] of obs.logs.entries()) env.writer.set(l, `t${i}`)
      spec.tasks.forEach((t, i) => {
        const handle = k.task(`t${i}`, { cpu: t.cpu }, function* (ctx) {
          yield* runOps(env, ctx, t.ops, obs.logs[i] as string[], null)
        })
        env.tasks.push(handle)
      })
      const irq = spec.irq
      if (irq !== null) k.irq(5, { cpu: irq.cpu, name: 'dev' }, (ctx) => run('irq', irq.ops, ctx))
      const soft = spec.softirq
      if (soft !== null) k.softirq('BLOCK', (ctx) => run('softirq', soft.ops, ctx), { cpu: soft.cpu, raises: 1 })
    },
    { cpus: spec.cpus, lockdep: false },
  )
  return {
    model,
    observed: () => {
      if (now === null) throw new Error('no execution yet')
      return now
    },
  }
}

/** One execution's outcome: what each context saw, the callbacks' runs (a multiset), the final state, its failures. */
const outcome = (o: Observed, failures: readonly string[]): string =>
  JSON.stringify({
    logs: o.logs.map((l) => l.join(' ')),
    runs: o.runs.map((r, i) => `${o.runNames[i]}:${r.join(' ')}`).sort(),
    cells: o.cells.map((c) => c.peek()),
    data: o.lockData.map((d) => d.n),
    failures: [...failures].sort(),
  })

export interface Explored {
  readonly result: ExploreResult
  readonly outcomes: ReadonlySet<string>
}

/** Explores `spec` on one kernel, collecting every completed execution's outcome. */
export const exploreSpec = (spec: ModelSpec, kernel: KernelName, options: ExploreOptions): Explored => {
  const { model, observed } = buildModel(spec)
  const base = modelRunner(model)
  const outcomes = new Set<string>()
  const run: RunExecution = (kk, scheduler, traced) => {
    const e = base(kk, scheduler, traced)
    outcomes.add(
      outcome(
        observed(),
        e.failures.map((f) => f.key),
      ),
    )
    return e
  }
  return { result: exploreRuns(run, { kernels: [kernel], stopOnFailure: false, shrink: false, ...options }), outcomes }
}

// ── generating specs ───────────────────────────────────────────────────────────────────────

/** A raw token: ops in order, `open` a section, `close` the innermost; made into a valid tree by `structure()`. */
type Token = { readonly t: 'open'; readonly lock: number; readonly variant: Variant } | { readonly t: 'close' } | { readonly t: 'op'; readonly op: Op }

type Where = 'task' | 'atomic'

/**
 * Tokens into ops: a section of a lock already held is dropped, a sleeping lock or wait where
 * sleeping is not allowed is dropped (tasks: not inside a spinning section; handlers and
 * callbacks: never), a variant the kind lacks becomes plain, `bump` only inside a section.
 */
const structure = (tokens: readonly Token[], kinds: readonly LockKind[], where: Where): Op[] => {
  interface Frame {
    readonly lock: number
    readonly variant: Variant
    readonly body: Op[]
    readonly atomic: boolean
  }
  const root: Op[] = []
  const stack: Frame[] = []
  const top = (): Op[] => (stack.length === 0 ? root : (stack[stack.length - 1] as Frame).body)
  const atomic = (): boolean => where === 'atomic' || stack.some((f) => f.atomic)
  const close = (): void => {
    const f = stack.pop()
    if (f !== undefined) top().push({ op: 'section', lock: f.lock, variant: f.variant, body: f.body })
  }
  for (const tok of tokens) {
    if (tok.t === 'close') close()
    else if (tok.t === 'open') {
      const kind = kinds[tok.lock]
      if (kind === undefined || stack.some((f) => f.lock === tok.lock)) continue
      if (kind === 'mutex' && atomic()) continue
      const variant: Variant =
        kind === 'mutex'
          ? tok.variant === 'try' || tok.variant === 'guard'
            ? tok.variant
            : 'plain'
          : kind === 'rwLock' && tok.variant === 'guard'
            ? 'plain'
            : tok.variant
      const fixed: Variant = kind !== 'rwLock' && variant === 'read' ? 'plain' : kind === 'rwLock' && variant === 'try' ? 'plain' : variant
      stack.push({ lock: tok.lock, variant: fixed, body: [], atomic: kind !== 'mutex' })
    } else {
      const o = tok.op
      if ((o.op === 'wait' || o.op === 'sleep' || o.op === 'signal') && atomic()) continue
      if (o.op === 'bump' && stack.length === 0) continue
      if (o.op === 'callRcu' && where === 'atomic') continue // an op, fine anywhere; kept to tasks to keep the handlers short
      top().push(o)
    }
  }
  while (stack.length > 0) close()
  return root
}

const LOCK_KINDS: readonly LockKind[] = ['spinLock', 'rawSpinLock', 'rwLock', 'mutex']
const VARIANTS: readonly Variant[] = ['plain', 'plain', 'irqsave', 'bh', 'read', 'try', 'guard']
const DEFERRED: readonly DeferredOp[] = ['modTimer', 'timerDelete', 'queueWork', 'cancelWork', 'taskletSchedule', 'irqWorkQueue', 'callRcu']

export interface SpecShape {
  /** Deferred members in the tasks' and handlers' ops (default true). */
  readonly deferred?: boolean
  /** Tokens per task (default 4). */
  readonly taskLength?: number
  /** A completion's wait and complete (default true; without them and deferred work the model is closed: ./lock-probe.ts). */
  readonly waits?: boolean
  /** The weight of `sleep` and `signal` among a task's tokens (default 1; the others weigh 9). */
  readonly signals?: number
  /** An interrupt line and a softirq may be declared (default true). */
  readonly handlers?: boolean
}

const tokenArb = (locks: number, cells: number, deferred: boolean, where: Where, waits: boolean, signals: number): fc.Arbitrary<Token> => {
  const plain: fc.Arbitrary<Op>[] = [
    fc.constant<Op>({ op: 'bump' }),
    fc.integer({ min: 0, max: cells - 1 }).map((cell): Op => ({ op: 'read', cell })),
    fc.integer({ min: 0, max: cells - 1 }).map((cell): Op => ({ op: 'write', cell })),
    fc.constant<Op>({ op: 'relax' }),
  ]
  if (waits) plain.push(fc.constant<Op>({ op: 'complete' }), fc.constant<Op>({ op: 'tryWait' }))
  if (waits && where === 'task') plain.push(fc.constant<Op>({ op: 'wait' }))
  if (deferred) plain.push(fc.constantFrom(...DEFERRED).map((d): Op => ({ op: d })))
  const signal = fc.oneof(
    fc.constant<Op>({ op: 'sleep' }),
    fc.integer({ min: 0, max: 2 }).map((task): Op => ({ op: 'signal', task })),
  )
  return fc.oneof(
    { arbitrary: signal.map((o): Token => ({ t: 'op', op: o })), weight: where === 'task' ? signals : 0 },
    {
      arbitrary: fc.record({ lock: fc.integer({ min: 0, max: locks - 1 }), variant: fc.constantFrom(...VARIANTS) }).map((r): Token => ({ t: 'open', ...r })),
      weight: 3,
    },
    { arbitrary: fc.constant<Token>({ t: 'close' }), weight: 2 },
    { arbitrary: fc.oneof(...plain).map((o): Token => ({ t: 'op', op: o })), weight: 4 },
  )
}

/**
 * A model's softirq handler cannot wait yet when a task's local_bh_enable() runs it inline on RT
 * (SchedulingError, docs/executors.md): its sections keep to raw_spinlock_t (others become their bodies).
 */
const rawOnly = (ops: readonly Op[], kinds: readonly LockKind[]): Op[] =>
  ops.flatMap((o): Op[] =>
    o.op !== 'section'
      ? [o]
      : kinds[o.lock] === 'rawSpinLock'
        ? [{ ...o, body: rawOnly(o.body, kinds) }]
        : rawOnly(o.body, kinds).filter((x) => x.op !== 'bump'),
  )

/** A task signals another task (its target counted among the others). */
const signalOthers = (ops: readonly Op[], self: number, tasks: number): Op[] =>
  ops.map(
    (o): Op =>
      o.op === 'signal'
        ? { op: 'signal', task: (self + 1 + (o.task % (tasks - 1))) % tasks }
        : o.op === 'section'
          ? { ...o, body: signalOthers(o.body, self, tasks) }
          : o,
  )

/** A wait that nothing completes would only hang: drop waits when no context completes. */
const withoutLoneWaits = (spec: ModelSpec): ModelSpec => {
  const completes = contexts(spec).some((ops) => [...allOps(ops)].some((o) => o.op === 'complete'))
  if (completes) return spec
  const strip = (ops: readonly Op[]): Op[] => ops.flatMap((o): Op[] => (o.op === 'wait' ? [] : o.op === 'section' ? [{ ...o, body: strip(o.body) }] : [o]))
  return { ...spec, tasks: spec.tasks.map((t) => ({ ...t, ops: strip(t.ops) })) }
}

/** Random small models: 2–3 CPUs, 2–3 locks of mixed kinds, 1–2 cells, 2–3 tasks, maybe an irq line, a softirq and deferred work. */
export const specArb = (shape: SpecShape = {}): fc.Arbitrary<ModelSpec> => {
  const deferred = shape.deferred ?? true
  const taskLength = shape.taskLength ?? 4
  const waits = shape.waits ?? true
  const handlers = shape.handlers ?? true
  const signals = shape.signals ?? 1
  return fc
    .record({
      cpus: fc.integer({ min: 2, max: 3 }),
      locks: fc.array(fc.constantFrom(...LOCK_KINDS), { minLength: 2, maxLength: 3 }),
      cells: fc.integer({ min: 1, max: 2 }),
    })
    .chain(({ cpus, locks, cells }) => {
      const tokens = (where: Where, max: number) => fc.array(tokenArb(locks.length, cells, deferred, where, waits, signals), { minLength: 1, maxLength: max })
      // Callbacks queue nothing (a work that queues itself never ends).
      const callbackTokens = (where: Where) => fc.array(tokenArb(locks.length, cells, false, where, waits, signals), { minLength: 1, maxLength: 2 })
      const handlerTokens = (max: number) => fc.array(tokenArb(locks.length, cells, deferred, 'atomic', waits, signals), { minLength: 1, maxLength: max })
      const handler = (freq: number) => (handlers ? fc.option(fc.record({ cpu, tokens: handlerTokens(2) }), { freq }) : fc.constant(null))
      const cpu = fc.integer({ min: 0, max: cpus - 1 })
      return fc
        .record({
          tasks: fc.array(tokens('task', taskLength), { minLength: 2, maxLength: 3 }),
          // Tasks spread over the CPUs from a random first one (a third task shares one).
          shift: fc.integer({ min: 0, max: cpus - 1 }),
          irq: handler(2),
          softirq: handler(4),
          callbacks: fc.record({
            timer: callbackTokens('atomic'),
            work: callbackTokens('task'),
            tasklet: callbackTokens('atomic'),
            irqWork: callbackTokens('atomic'),
            rcu: callbackTokens('atomic'),
          }),
        })
        .map((r): ModelSpec => {
          const ops = (ts: readonly Token[], where: Where) => structure(ts, locks, where)
          const spec: ModelSpec = {
            cpus,
            locks,
            cells,
            tasks: r.tasks.map((t, i) => ({ cpu: (i + r.shift) % cpus, ops: signalOthers(ops(t, 'task'), i, r.tasks.length) })),
            irq: r.irq === null ? null : { cpu: r.irq.cpu, ops: ops(r.irq.tokens, 'atomic') },
            softirq: r.softirq === null ? null : { cpu: r.softirq.cpu, ops: rawOnly(ops(r.softirq.tokens, 'atomic'), locks) },
            callbacks: {
              timer: ops(r.callbacks.timer, 'atomic'),
              work: ops(r.callbacks.work, 'task'),
              tasklet: ops(r.callbacks.tasklet, 'atomic'),
              irqWork: ops(r.callbacks.irqWork, 'atomic'),
              rcu: ops(r.callbacks.rcu, 'atomic'),
            },
          }
          const used = usedCallbacks({ ...spec, callbacks: {} })
          const callbacks: Partial<Record<Callback, readonly Op[]>> = {}
          for (const c of used) callbacks[c] = spec.callbacks[c] ?? []
          return withoutLoneWaits({ ...spec, callbacks })
        })
    })
}

/** DPOR against the naive search on one kernel under one bound, or null when the naive search did not finish within `cap`. */
export interface Comparison {
  readonly naive: number
  readonly dpor: number
  readonly dporExhausted: boolean
  /** Outcomes the naive search reached and DPOR did not, and the other way. */
  readonly missing: readonly string[]
  readonly extra: readonly string[]
}

export const compareOn = (spec: ModelSpec, kernel: KernelName, bound: number | null, cap: number): Comparison | null => {
  let naive: Explored
  try {
    naive = exploreSpec(spec, kernel, { reduction: 'none', preemptionBound: bound, maxExecutions: cap })
  } catch (e) {
    // What models cannot do yet (a softirq that waits at a task's local_bh_enable() on RT): not a model to compare on.
    if (e instanceof SchedulingError) return null
    throw e
  }
  if (!naive.result.exhausted) return null
  const dpor = exploreSpec(spec, kernel, { reduction: 'dpor', preemptionBound: bound, maxExecutions: cap })
  return {
    naive: naive.result.kernels[0]?.executions ?? 0,
    dpor: dpor.result.kernels[0]?.executions ?? 0,
    dporExhausted: dpor.result.exhausted,
    missing: [...naive.outcomes].filter((o) => !dpor.outcomes.has(o)),
    extra: [...dpor.outcomes].filter((o) => !naive.outcomes.has(o)),
  }
}
