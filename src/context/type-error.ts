/**
 * A compile-time error with a message. A parameter typed `Context<S> & LockproofError<'…'>` cannot
 * be satisfied, and the compiler prints the message in its "is not assignable" line.
 */
declare const errorMessage: unique symbol

export interface LockproofError<Message extends string> {
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
