/**
 * A kind's `requires` at compile time: the proofs a caller's context must carry to take it (the
 * v6 `SpinLockIrq` design takes an `IrqDisabled` token). Only kinds whose spec requires something
 * pay for it: their members are typed by {@link RequireCheck} before the ordinary rules
 * (kinds/derive.ts). The run-time check is in locks/lock.ts (ProofRequiredError).
 */
import type { CtxState } from './state.js'
import type { LockproofError } from './error.js'
import type { KindOf, KindRef } from '../kinds/kind-of.js'
import type { LockLabel } from './acquire.js'

/** The proofs kind K requires, as a union. */
export type RequiredProofs<K extends KindRef> = KindOf<K>['requires'][number]

/** How each proof is named in the context types. */
interface ProofNames {
  readonly irq: 'IrqDisabled'
  readonly preempt: 'PreemptDisabled'
  readonly bh: 'BhDisabled'
}

/** The required proofs T does not carry on both kernels. */
type Missing<K extends KindRef, T extends CtxState> =
  | ('irq' extends RequiredProofs<K> ? ([T['irq']] extends [true] ? never : 'irq') : never)
  | ('preempt' extends RequiredProofs<K> ? ([T['preempt']] extends [true] ? never : 'preempt') : never)
  | ('bh' extends RequiredProofs<K> ? ([T['bh']] extends [true] ? never : 'bh') : never)

type RequireError<
  K extends KindRef,
  N extends string,
  P extends keyof ProofNames,
> = LockproofError<`${LockLabel<K, N>} requires a context that proves ${ProofNames[P]} (its kind's requires)`>

/** `unknown` when T carries every proof kind K requires, else the error naming the first missing one. */
export type RequireCheck<K extends KindRef, N extends string, T extends CtxState> = [Missing<K, T>] extends [never]
  ? unknown
  : RequireError<K, N, Missing<K, T> extends infer P extends keyof ProofNames ? P : never>
