/**
 * `k.cell(name, init)` on the model kernel (plugged in src/exec/model/factories.ts): a shared
 * word (./cell.ts) whose races the explorer reports in KCSAN's shape.
 */
import type { Context } from '../context.js'
import type { CtxState } from '../../rules/state.js'
import type { ProbedLock } from './lock-probe.js'
import type { WaitChannel } from '../wait.js'
import { activeExecution } from './active.js'
import { createCell, type ModelCell } from './cell.js'
import { type AccessSite, RaceDetector } from './kcsan.js'
import { InvalidArgumentError } from '../../errors.js'
import { Contexts, type SiteCpu } from './races/site.js'

export type { ModelCell }

/** What the factory uses of the model's ModelHost (src/exec/model/factories.ts), by shape: no import cycle. */
export interface CellHost {
  readonly parts: { readonly cpus: readonly SiteCpu[]; readonly machine: { readonly locks: readonly ProbedLock[] } }
  channel(kind: string, name: string): WaitChannel
}

/** Made once per model kernel (the plugged factories run when the kernel is made): hands the explorer the machine. */
export const cellFactory = (host: CellHost): (<T>(name: string, init: T) => ModelCell<T>) => {
  activeExecution()?.attach(host.parts.machine.locks)
  return <T>(name: string, init: T): ModelCell<T> => {
    const channel = host.channel('cell', name)
    const active = activeExecution()
    const detector = active?.detector ?? new RaceDetector()
    const contexts = new Contexts()
    const siteOf = (ctx: Context<CtxState>): AccessSite => {
      const cpu = host.parts.cpus[ctx.cpuId]
      if (cpu === undefined) throw new InvalidArgumentError(`cell '${name}': the context is not of a CPU of this model`)
      return contexts.site(cpu, active?.current() ?? null)
    }
    return createCell(channel, init, detector, siteOf)
  }
}
