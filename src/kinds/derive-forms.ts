/**
 * Every method type a defined kind's member can be, keyed by its tag `form|variant|mode`
 * (derive.ts `MemberTags`): written out, so that each member's variant and side are literal
 * where it is declared. A lock's member is then one indexed access into this interface, whose
 * members TypeScript instantiates one at a time when used, with the variant's rules already
 * resolved (a mapped type over a generic variant would resolve them again for every lock, about
 * 40 instantiations per lock site more: docs/defining-kinds.md, "Cost").
 */
import type { GuardedNested, GuardedNestLock, LockedNested, LockedNestLock, TryGuarded, TryLocked } from '../locks/annotated-api.js'
import type { Guarded, Locked } from '../locks/methods.js'
import type { GuardedRequiring, LockedRequiring } from './derive-requires.js'
import type { KindOf, KindRef } from './kind-of.js'

/** The method types of kind K for lock class N, data D and declared-after classes F, by tag. */
export interface FormTable<K extends KindRef, N extends string, D, F extends string> {
  readonly kind: KindOf<K>['kind']
  readonly name: N
  readonly 'locked|plain|write': Locked<K, N, 'plain', D, F>
  readonly 'locked|plain|read': Locked<K, N, 'plain', D, F, 'read'>
  readonly 'locked|irq|write': Locked<K, N, 'irq', D, F>
  readonly 'locked|irq|read': Locked<K, N, 'irq', D, F, 'read'>
  readonly 'locked|irqsave|write': Locked<K, N, 'irqsave', D, F>
  readonly 'locked|irqsave|read': Locked<K, N, 'irqsave', D, F, 'read'>
  readonly 'locked|bh|write': Locked<K, N, 'bh', D, F>
  readonly 'locked|bh|read': Locked<K, N, 'bh', D, F, 'read'>
  readonly 'guarded|plain|write': Guarded<K, N, 'plain', D, F>
  readonly 'guarded|plain|read': Guarded<K, N, 'plain', D, F, 'read'>
  readonly 'guarded|irq|write': Guarded<K, N, 'irq', D, F>
  readonly 'guarded|irq|read': Guarded<K, N, 'irq', D, F, 'read'>
  readonly 'guarded|irqsave|write': Guarded<K, N, 'irqsave', D, F>
  readonly 'guarded|irqsave|read': Guarded<K, N, 'irqsave', D, F, 'read'>
  readonly 'guarded|bh|write': Guarded<K, N, 'bh', D, F>
  readonly 'guarded|bh|read': Guarded<K, N, 'bh', D, F, 'read'>
  readonly 'locked-requiring|plain|write': LockedRequiring<K, N, 'plain', D, F, 'write'>
  readonly 'locked-requiring|plain|read': LockedRequiring<K, N, 'plain', D, F, 'read'>
  readonly 'locked-requiring|irq|write': LockedRequiring<K, N, 'irq', D, F, 'write'>
  readonly 'locked-requiring|irq|read': LockedRequiring<K, N, 'irq', D, F, 'read'>
  readonly 'locked-requiring|irqsave|write': LockedRequiring<K, N, 'irqsave', D, F, 'write'>
  readonly 'locked-requiring|irqsave|read': LockedRequiring<K, N, 'irqsave', D, F, 'read'>
  readonly 'locked-requiring|bh|write': LockedRequiring<K, N, 'bh', D, F, 'write'>
  readonly 'locked-requiring|bh|read': LockedRequiring<K, N, 'bh', D, F, 'read'>
  readonly 'guarded-requiring|plain|write': GuardedRequiring<K, N, 'plain', D, F, 'write'>
  readonly 'guarded-requiring|plain|read': GuardedRequiring<K, N, 'plain', D, F, 'read'>
  readonly 'guarded-requiring|irq|write': GuardedRequiring<K, N, 'irq', D, F, 'write'>
  readonly 'guarded-requiring|irq|read': GuardedRequiring<K, N, 'irq', D, F, 'read'>
  readonly 'guarded-requiring|irqsave|write': GuardedRequiring<K, N, 'irqsave', D, F, 'write'>
  readonly 'guarded-requiring|irqsave|read': GuardedRequiring<K, N, 'irqsave', D, F, 'read'>
  readonly 'guarded-requiring|bh|write': GuardedRequiring<K, N, 'bh', D, F, 'write'>
  readonly 'guarded-requiring|bh|read': GuardedRequiring<K, N, 'bh', D, F, 'read'>
  readonly 'try|plain|write': TryLocked<K, N, 'plain', D>
  readonly 'try|irq|write': TryLocked<K, N, 'irq', D>
  readonly 'try|irqsave|write': TryLocked<K, N, 'irqsave', D>
  readonly 'try|bh|write': TryLocked<K, N, 'bh', D>
  readonly 'try-guard|plain|write': TryGuarded<K, N, 'plain', D>
  readonly 'try-guard|irq|write': TryGuarded<K, N, 'irq', D>
  readonly 'try-guard|irqsave|write': TryGuarded<K, N, 'irqsave', D>
  readonly 'try-guard|bh|write': TryGuarded<K, N, 'bh', D>
  readonly 'nested|plain|write': LockedNested<K, N, 'plain', D, F>
  readonly 'nested|irq|write': LockedNested<K, N, 'irq', D, F>
  readonly 'nested|irqsave|write': LockedNested<K, N, 'irqsave', D, F>
  readonly 'nested|bh|write': LockedNested<K, N, 'bh', D, F>
  readonly 'nested-guard|plain|write': GuardedNested<K, N, 'plain', D, F>
  readonly 'nested-guard|irq|write': GuardedNested<K, N, 'irq', D, F>
  readonly 'nested-guard|irqsave|write': GuardedNested<K, N, 'irqsave', D, F>
  readonly 'nested-guard|bh|write': GuardedNested<K, N, 'bh', D, F>
  readonly 'nest-lock|plain|write': LockedNestLock<K, N, 'plain', D, F>
  readonly 'nest-lock|irq|write': LockedNestLock<K, N, 'irq', D, F>
  readonly 'nest-lock|irqsave|write': LockedNestLock<K, N, 'irqsave', D, F>
  readonly 'nest-lock|bh|write': LockedNestLock<K, N, 'bh', D, F>
  readonly 'nest-lock-guard|plain|write': GuardedNestLock<K, N, 'plain', D, F>
  readonly 'nest-lock-guard|irq|write': GuardedNestLock<K, N, 'irq', D, F>
  readonly 'nest-lock-guard|irqsave|write': GuardedNestLock<K, N, 'irqsave', D, F>
  readonly 'nest-lock-guard|bh|write': GuardedNestLock<K, N, 'bh', D, F>
}
