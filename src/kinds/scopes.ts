/**
 * The six scopes as specs: a section entered by one step and left by another (steps.ts), the
 * proofs the enter step gives, and the type-level restriction (rules/transitions.ts). The
 * context's scope methods (exec/scope.ts) read their name, steps and proofs from here.
 */
import type { ScopeSpec } from './spec.js'
import type { ScopeStep } from './steps.js'

/** A scope checked against the spec shape, its literal types kept. */
const scope = <const S extends ScopeSpec>(spec: S): S => spec

/** A scope whose steps both have a CPU-only form (steps.ts `onCpu`): the context runs them directly. */
type CpuScope = ScopeSpec & { readonly enter: ScopeStep; readonly exit: ScopeStep }
const cpuScope = <const S extends CpuScope>(spec: S): S => spec

export const SCOPES = {
  preempt_disable: cpuScope({
    op: 'preempt_disable()',
    enter: 'preempt_disable',
    exit: 'preempt_enable',
    wait: 'spin',
    why: 'preemption is disabled (preempt_disable())',
  }),
  // On RT local_bh_disable() is a per-CPU lock, so not 'spin'.
  local_bh_disable: cpuScope({
    op: 'local_bh_disable()',
    enter: 'bh_disable',
    exit: 'bh_enable',
    wait: 'config',
    why: 'bottom halves are disabled (local_bh_disable())',
  }),
  // rcu_lock_map's wait_type_inner is LD_WAIT_CONFIG: no sleeping, spinlock_t is fine even on RT.
  rcu_read_lock: cpuScope({
    op: 'rcu_read_lock()',
    enter: 'rcu_read_lock',
    exit: 'rcu_read_unlock',
    wait: 'config',
    why: 'in an RCU read-side section (rcu_read_lock())',
  }),
  // Its exit restores the saved flags: the context keeps them per section.
  local_irq_save: scope({
    op: 'local_irq_save()',
    enter: 'irq_save',
    exit: 'irq_restore',
    wait: 'spin',
    why: 'interrupts are disabled (local_irq_save())',
  }),
  // A guard: its exit checks the proofs left before interrupts come back on.
  local_interrupt_disable: scope({
    op: 'local_interrupt_disable()',
    enter: 'interrupt_disable',
    exit: 'interrupt_enable',
    wait: 'spin',
    why: 'interrupts are disabled (local_interrupt_disable())',
  }),
  // Stays on this CPU and may still sleep: no restriction, no proof.
  migrate_disable: cpuScope({ op: 'migrate_disable()', enter: 'migrate_disable', exit: 'migrate_enable', wait: null, why: '' }),
} as const satisfies Record<string, ScopeSpec>

export type Scopes = typeof SCOPES
export type ScopeName = keyof Scopes
