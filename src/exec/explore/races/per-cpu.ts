/**
 * Per-CPU variables of the model kernel (`k.perCpu(name, init)`, plugged in
 * src/exec/model/factories.ts): DEFINE_PER_CPU's one copy per CPU, reached as the kernel reaches
 * it — `this_cpu_ptr()` for the running CPU's copy, `per_cpu_ptr()` for any CPU's
 * (include/linux/percpu-defs.h). While the explorer runs the copies are watched data
 * (./watched.ts): an access lingers until its context goes on, so another CPU's access to the
 * same copy, or a task preempting the owner or an interrupt handler arriving on its CPU, races in
 * KCSAN's shape where the schedule lets it in — and is silent where preemption or interrupts are
 * off, or a lock (RT's per-CPU local_lock_t spinlock) keeps the other out.
 */
import { InvalidArgumentError } from '../../../errors.js'
import type { CtxState } from '../../../rules/state.js'
import type { Context } from '../../context.js'
import { ScopeContext } from '../../scope.js'
import type { WaitChannel } from '../../wait.js'
import { activeExecution } from '../active.js'
import { dataRacesOf, type WatchCpu } from './data-races.js'
import { watchOf } from './watched.js'

/**
 * A per-CPU variable of a model (`k.perCpu(name, init)`): one copy per CPU, made by `init(cpu)`
 * when it is declared. `thisCpuPtr(ctx)` is the running CPU's copy, `perCpuPtr(ctx, cpu)` any
 * CPU's; the explorer reports conflicting accesses in flight together as KCSAN does (a `local_lock_t`
 * around the owner's accesses, preemption or interrupts off keep the others out where the kernel's
 * do).
 *
 * @example
 * ```ts
 * import { defineModel, explore, type ModelPerCpu } from 'lockproof'
 *
 * const m = defineModel((k) => {
 *   const stats: ModelPerCpu<{ hits: number }> = k.perCpu('stats', () => ({ hits: 0 }))
 *   k.task('counter', { cpu: 0 }, function* (ctx) {
 *     stats.thisCpuPtr(ctx).hits++
 *     yield* k.cpuRelax(ctx)
 *   })
 *   k.task('summer', { cpu: 1 }, function* (ctx) { console.log(stats.perCpuPtr(ctx, 0).hits) })
 * }, { cpus: 2 })
 * console.log(explore(m, { kernels: ['normal'] }).counterexamples[0]?.title) // 'BUG: KCSAN: data-race in counter / summer'
 * ```
 */
export interface ModelPerCpu<D extends object> {
  /** Its name, as a race report prints it (`per_cpu(name, cpu)`). */
  readonly name: string
  /** `this_cpu_ptr(&var)`: the copy of the CPU `ctx` runs on. */
  thisCpuPtr(ctx: Context<CtxState>): D
  /** `per_cpu_ptr(&var, cpu)`: the copy of CPU `cpu`. */
  perCpuPtr(ctx: Context<CtxState>, cpu: number): D
  /** CPU `cpu`'s copy now, outside any task (for the model's checks at the end). */
  peek(cpu: number): D
}

/** What the factory uses of the model's ModelHost (src/exec/model/factories.ts), by shape. */
export interface PerCpuHost {
  readonly parts: { readonly cpus: readonly WatchCpu[] }
  channel(kind: string, name: string): WaitChannel
}

export const perCpuFactory =
  (host: PerCpuHost) =>
  <D extends object>(name: string, init: (cpu: number) => D): ModelPerCpu<D> => {
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('perCpu(): the name must be a non-empty string')
    if (typeof init !== 'function') throw new InvalidArgumentError('perCpu(): init must be a function of the CPU number')
    const cpus = host.parts.cpus
    const copies = cpus.map((_, cpu) => {
      const copy: unknown = init(cpu)
      if (typeof copy !== 'object' || copy === null)
        throw new InvalidArgumentError(`perCpu(${name}): init(${cpu}) must return an object (the per-CPU struct; a counter is { n: 0 })`)
      return copy as D
    })
    const channel = host.channel('percpu', name)
    const shown = (cpu: number): D => {
      const copy = copies[cpu] as D
      const active = activeExecution()
      return active === null ? copy : watchOf(dataRacesOf(active, cpus)).wrap(copy, { channel, path: `per_cpu(${name}, ${cpu})` })
    }
    const cpuOf = (ctx: Context<CtxState>, op: string): number => ScopeContext.from(ctx, op).assertUsable(op).id
    return {
      name,
      thisCpuPtr: (ctx) => shown(cpuOf(ctx, `this_cpu_ptr(${name})`)),
      perCpuPtr: (ctx, cpu) => {
        const op = `per_cpu_ptr(${name}, ${String(cpu)})`
        cpuOf(ctx, op)
        if (!Number.isInteger(cpu) || cpu < 0 || cpu >= copies.length)
          throw new InvalidArgumentError(`${op}: cpu must be a CPU of the model (0 to ${copies.length - 1})`)
        return shown(cpu)
      },
      peek: (cpu) => {
        if (!Number.isInteger(cpu) || cpu < 0 || cpu >= copies.length)
          throw new InvalidArgumentError(`peek(${String(cpu)}): cpu must be a CPU of the model (0 to ${copies.length - 1})`)
        return copies[cpu] as D
      },
    }
  }
