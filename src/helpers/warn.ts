/**
 * `WARN_ON()` / `WARN_ON_ONCE()` for lockdep's assertions: what the kernel prints (the `cut here`
 * line, then `WARNING: CPU: %d PID: %d at %pS` from __warn() in kernel/panic.c), as a
 * {@link LockdepAssertDiagnostic}. A warning does not turn lockdep off ("Just a warning, don't kill
 * lockdep"), but lockdep's assertions are silent once lockdep is off (`debug_locks &&`).
 */
import type { ScopeContext } from '../exec/scope.js'
import type { Cpu } from '../machine/cpu.js'
import type { Task } from '../machine/machine.js'
import type { Diagnostic } from '../diagnostics/types.js'
import type { HeldLock } from '../locks/held.js'
import { warnAtTitle } from '../diagnostics/titles.js'

/** What a kernel lends its CPUs for warnings. */
export interface WarnHost {
  report(d: Diagnostic): void
  /** `debug_locks`: lockdep is on and has not reported yet (its first report turns it off). */
  debugLocks(): boolean
  heldNames(task: Task): readonly string[]
  readonly preemptRt: boolean
  /** The `WARN_ON_ONCE()` sites that have fired (one static bool each in the kernel): the machine's `warnedAsserts`. */
  readonly fired: string[]
}

const hosts = new WeakMap<Cpu, WarnHost>()

/** @internal Called by the kernel for each CPU it makes. */
export const registerWarnHost = (cpu: Cpu, host: WarnHost): void => {
  hosts.set(cpu, host)
}

/** The "cut here" line every WARN starts with (CUT_HERE, include/asm-generic/bug.h). */
export const CUT_HERE = '------------[ cut here ]------------'

/** print_oops_end_marker() (kernel/panic.c); lockproof has no oops id, so it prints zero. */
export const END_TRACE = '---[ end trace 0000000000000000 ]---'

/** Where an assertion runs: the usable context's CPU, its host and its task's held locks. */
export interface AssertSite {
  readonly cpu: Cpu
  readonly host: WarnHost
  readonly held: readonly HeldLock[]
}

/** Throws unless `ctx` may act now (stale, foreign or shadowed contexts are refused as everywhere). */
export const assertSite = (ctx: ScopeContext, op: string): AssertSite => {
  const cpu = ctx.assertUsable(op)
  const host = hosts.get(cpu)
  if (host === undefined) throw new Error(`${op}: this CPU belongs to no kernel`)
  return { cpu, host, held: ctx.heldLocks }
}

/**
 * `lockdep_assert(cond)` = `WARN_ON(debug_locks && !(cond))`, `lockdep_assert_once` =
 * `WARN_ON_ONCE(…)`: reports when `failed` and lockdep is on. `where` is the function (`%pS`).
 */
export const lockdepWarn = (site: AssertSite, failed: boolean, assertion: string, where: string, once: boolean): void => {
  if (!failed || !site.host.debugLocks()) return
  const key = `${where}\u0000${assertion}`
  if (once) {
    if (site.host.fired.includes(key)) return
    site.host.fired.push(key)
  }
  const { cpu } = site
  const task = cpu.current
  const title = warnAtTitle(cpu.id, task.pid, where)
  site.host.report({
    kind: 'lockdep-assert',
    title,
    cpu: cpu.id,
    task: task.comm,
    heldLocks: site.host.heldNames(task),
    preemptCount: cpu.preemptCount,
    assertion,
    where,
    report: [CUT_HERE, title, `CPU: ${cpu.id} PID: ${task.pid} Comm: ${task.comm}`, END_TRACE].join('\n'),
  })
}
