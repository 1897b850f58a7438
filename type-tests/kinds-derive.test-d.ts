// The typed lock interfaces are the kind registry's derivation (src/kinds/derive.ts `LockOf`):
// each public interface has exactly the members `LockOf` of its kind has, and every member has
// exactly the derived type, for concrete and for generic class names, data and lock orders.
import { expectType } from 'tsd'
import type { LocalLock, Mutex, RawSpinLock, RwLock, RwSemaphore, SpinLock, SpinLockIrq } from '../src/index.js'
import type { LockOf } from '../src/kinds/derive.js'

/** true when A and B are the same type (not only mutually assignable). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
/** true when I has the same member names as L, and each member the same type. */
type IsDerivation<I, L> =
  Same<keyof I, keyof L> extends true ? ({ [P in keyof I & keyof L]: Same<I[P], L[P]> }[keyof I & keyof L] extends true ? true : false) : false

type Data = { readonly n: number }
type Order = 'later' | 'later/1'

expectType<true>(true as IsDerivation<RawSpinLock<'a', Data, Order>, LockOf<'raw_spinlock_t', 'a', Data, Order>>)
expectType<true>(true as IsDerivation<SpinLock<'a', Data, Order>, LockOf<'spinlock_t', 'a', Data, Order>>)
expectType<true>(true as IsDerivation<RwLock<'a', Data, Order>, LockOf<'rwlock_t', 'a', Data, Order>>)
expectType<true>(true as IsDerivation<Mutex<'a', Data, Order>, LockOf<'mutex', 'a', Data, Order>>)
expectType<true>(true as IsDerivation<RwSemaphore<'a', Data, Order>, LockOf<'rw_semaphore', 'a', Data, Order>>)
expectType<true>(true as IsDerivation<LocalLock<'a', Data, Order>, LockOf<'local_lock_t', 'a', Data, Order>>)
expectType<true>(true as IsDerivation<SpinLockIrq<'a', Data, Order>, LockOf<'SpinLockIrq', 'a', Data, Order>>)

// Generic: what a function generic over the lock's class, data and order sees.
export const generic = <N extends string, D, F extends string>() => {
  expectType<true>(true as IsDerivation<RawSpinLock<N, D, F>, LockOf<'raw_spinlock_t', N, D, F>>)
  expectType<true>(true as IsDerivation<SpinLock<N, D, F>, LockOf<'spinlock_t', N, D, F>>)
  expectType<true>(true as IsDerivation<RwLock<N, D, F>, LockOf<'rwlock_t', N, D, F>>)
  expectType<true>(true as IsDerivation<Mutex<N, D, F>, LockOf<'mutex', N, D, F>>)
  expectType<true>(true as IsDerivation<RwSemaphore<N, D, F>, LockOf<'rw_semaphore', N, D, F>>)
  expectType<true>(true as IsDerivation<LocalLock<N, D, F>, LockOf<'local_lock_t', N, D, F>>)
  expectType<true>(true as IsDerivation<SpinLockIrq<N, D, F>, LockOf<'SpinLockIrq', N, D, F>>)
}

// The nearest invalid pattern: a different kind's derivation is not the interface.
expectType<false>(false as IsDerivation<Mutex<'a', Data>, LockOf<'rw_semaphore', 'a', Data, never>>)
expectType<false>(false as IsDerivation<RawSpinLock<'a', Data>, LockOf<'spinlock_t', 'a', Data, never>>)
