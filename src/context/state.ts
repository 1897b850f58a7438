/**
 * The type-level state a Context carries: what is known, *on both kernels*, where code runs.
 * Kept to seven small fields: every field multiplies the compiler's instantiations.
 */

/** Execution kind. A threadable handler is 'hardirq' here: it is one on a normal kernel. */
export type Exec = 'task' | 'softirq' | 'hardirq' | 'nmi'

/**
 * The strongest lockdep wait type still allowed (LD_WAIT_SLEEP > LD_WAIT_CONFIG > LD_WAIT_SPIN):
 * 'sleep' admits mutexes, 'config' admits spinlock_t (sleeping on RT, so not under 'spin').
 */
export type Wait = 'sleep' | 'config' | 'spin'

export interface CtxState {
  readonly exec: Exec
  readonly wait: Wait
  /** Interrupts are off on both kernels. */
  readonly irq: boolean
  /** Preemption is off on both kernels. */
  readonly preempt: boolean
  /** Bottom halves cannot run here, on both kernels. */
  readonly bh: boolean
  /** Lock classes held, as a union of their names (never when none). */
  readonly held: string
  /** Why `wait` is what it is, in words for error messages ("spinlock_t 'stats' is held"). */
  readonly why: string
}

/** A task in process context: everything allowed. */
export interface TaskCtx {
  readonly exec: 'task'
  readonly wait: 'sleep'
  readonly irq: false
  readonly preempt: false
  readonly bh: false
  readonly held: never
  readonly why: 'task context'
}

/** Overrides some fields of a state; the result is a flat object type (cheap to compare). */
export type With<S extends CtxState, P extends Partial<CtxState>> = {
  readonly [K in keyof CtxState]: K extends keyof P ? P[K] : S[K]
}
