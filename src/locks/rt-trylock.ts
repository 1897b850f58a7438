/**
 * Where PREEMPT_RT does not allow a kind's trylock although the call checks nothing: the run-time
 * twin of src/rules/trylock.ts's `irqs-on` and `by-wait` rules (docs/SEMANTICS.md §26). A kind
 * whose trylock is `task`-only has the kernel's own WARN instead (lock.ts `#trylockRefused`).
 */
import type { Cpu } from '../machine/cpu.js'
import type { LockKindSpec } from '../kinds/spec.js'
import type { RtTrylockWhere } from '../diagnostics/rt-trylock.js'

/** On PREEMPT_RT: where this trylock is not allowed, or null. */
export const rtTrylockWhere = (spec: LockKindSpec, cpu: Cpu): RtTrylockWhere | null => {
  const rule = spec.trylock
  if (rule === null) return null
  // rw_semaphore: kernel/bpf/mmap_unlock_work.h, "PREEMPT_RT does not allow to trylock mmap sem
  // in interrupt disabled context".
  if (rule.context === 'irqs-on') return cpu.irqsDisabled ? 'irqs-disabled' : null
  // A 'config' kind is an rtmutex on RT: not in hard interrupt context (nor NMI) RT does not thread.
  if (rule.context === 'by-wait' && spec.wait === 'config') return cpu.inHardirq() || cpu.inNmi() ? 'hardirq' : null
  return null
}
