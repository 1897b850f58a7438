/**
 * A compile-time error with a message. A parameter typed `Context<S> & LockproofError<'…'>` cannot
 * be satisfied, and the compiler prints the message in its "is not assignable" line.
 */
declare const errorMessage: unique symbol

/**
 * A compile-time error with a message. A parameter typed `Context<S> & LockproofError<'…'>`
 * cannot be satisfied, and the compiler prints the message in its "is not assignable" line: this
 * is how every nesting rule reports. (The runtime errors' base class is exported as
 * {@link LockproofRuntimeError}.)
 *
 * @example
 * ```ts
 * import type { Context, CtxState, LockproofError } from 'lockproof'
 *
 * // A function of your own that refuses NMI context with a readable compile error:
 * type NotInNmi<S extends CtxState> = S['exec'] extends 'nmi' ? LockproofError<'not from an NMI handler'> : unknown
 * const printkDeferred = <S extends CtxState>(ctx: Context<S> & NotInNmi<S>) => ctx.cpuId
 * ```
 */
export interface LockproofError<Message extends string> {
  /** The message the compiler shows. */
  readonly [errorMessage]: Message
}

/** The type of a callback result: R itself, or an error when R is a Promise or any thenable. */
/** Any object with a callable `then`, as the runtime's check (and `await`) sees a thenable. */
export interface Thenable {
  readonly then: (...args: never[]) => unknown
}

export type NotThenable<R, Where extends string> = R extends Thenable
  ? LockproofError<`Promise: ${Where} must finish synchronously; the scope ends before a Promise settles`>
  : R
