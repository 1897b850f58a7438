/**
 * Who is running now, as a KCSAN report names an access's context: the task, or the interrupt
 * handler (or softirq run inline) on the CPU whose step the explorer is taking. Shared by the
 * watched data (./data-races.ts), which has no `ctx` at a property access, and read from the
 * same places the shared cells read (../cell-factory.ts): the running choice and the CPU's
 * interrupt state.
 */
import type { Choice } from '../../model/scheduler.js'
import type { AccessSite } from '../kcsan.js'

/** What a site reads of a CPU (src/machine/cpu.ts), by shape. */
export interface SiteCpu {
  readonly id: number
  readonly current: { readonly pid: number; readonly comm: string }
  inNmi(): boolean
  inHardirq(): boolean
  inServingSoftirq(): boolean
}

/** The handler's name out of the model executor's label (`irq 5 handler eth0` → `eth0`). */
export const fnOf = (label: string): string => /^irq \d+ handler (.+)$/.exec(label)?.[1] ?? label

/**
 * A forced-threaded handler's function in its thread `irq/<line>-<name>` (kernel/irq/manage.c
 * setup_irq_thread(): `kthread_create(irq_thread, new, "irq/%d-%s", irq, new->name)`): the stack's
 * top frame is the handler (irq_thread() → irq_forced_thread_fn() → handler), named as on the
 * normal kernel; the context is still the thread, a task ("by task N").
 */
export const threadFnOf = (comm: string): string => /^irq\/\d+-(.+)$/.exec(comm)?.[1] ?? comm

/** Numbers the contexts of one execution: a task, or each handler (distinct even on one CPU). */
export class Contexts {
  readonly #ids = new Map<string, number>()

  /** The site of code running on `cpu` in the step of `running` (null: before the first step). */
  site(cpu: SiteCpu, running: Choice | null): AccessSite {
    const task = cpu.current
    // KCSAN's in_task(): not in NMI, hardirq or serving softirq (kernel/kcsan/report.c prepare_access_info()).
    const inTask = !(cpu.inNmi() || cpu.inHardirq() || cpu.inServingSoftirq())
    const label = running !== null && running.kind === 'task' && running.cpu === cpu.id ? running.comm : task.comm
    const key = `${task.pid}:${inTask ? 'task' : label}`
    let context = this.#ids.get(key)
    if (context === undefined) {
      context = this.#ids.size
      this.#ids.set(key, context)
    }
    return { pid: inTask ? task.pid : -1, cpu: cpu.id, fn: inTask ? threadFnOf(task.comm) : fnOf(label), comm: task.comm, currentPid: task.pid, context }
  }
}
