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

export type { ModelCell }

/** The handler's name out of the model executor's label (`irq 5 handler eth0` → `eth0`). */
const fnOf = (label: string): string => /^irq \d+ handler (.+)$/.exec(label)?.[1] ?? label

/** What the factory uses of the model's ModelHost (src/exec/model/factories.ts), by shape: no import cycle. */
/** What a cell asks of a CPU: is it in interrupt context (KCSAN's in_task()). */
export interface CellCpu {
  inNmi(): boolean
  inHardirq(): boolean
  inServingSoftirq(): boolean
}

export interface CellHost {
  readonly parts: { readonly cpus: readonly CellCpu[]; readonly machine: { readonly locks: readonly ProbedLock[] } }
  channel(kind: string, name: string): WaitChannel
}

/** Made once per model kernel (the plugged factories run when the kernel is made): hands the explorer the machine. */
export const cellFactory = (host: CellHost): (<T>(name: string, init: T) => ModelCell<T>) => {
  activeExecution()?.attach(host.parts.machine.locks)
  return <T>(name: string, init: T): ModelCell<T> => {
    const channel = host.channel('cell', name)
    const active = activeExecution()
    const detector = active?.detector ?? new RaceDetector()
    const contexts = new Map<string, number>()
    const siteOf = (ctx: Context<CtxState>): AccessSite => {
      const cpu = host.parts.cpus[ctx.cpuId]
      const inTask = cpu === undefined || !(cpu.inNmi() || cpu.inHardirq() || cpu.inServingSoftirq())
      const running = active?.current() ?? null
      const label = running !== null && running.kind === 'task' && running.cpu === ctx.cpuId ? running.comm : ctx.comm
      const key = `${ctx.pid}:${inTask ? 'task' : label}`
      let context = contexts.get(key)
      if (context === undefined) {
        context = contexts.size
        contexts.set(key, context)
      }
      return { pid: inTask ? ctx.pid : -1, cpu: ctx.cpuId, fn: inTask ? ctx.comm : fnOf(label), comm: ctx.comm, currentPid: ctx.pid, context }
    }
    return createCell(channel, init, detector, siteOf)
  }
}
