/**
 * What a helper's body knows about the locks its callers hold: nothing, except what the helper
 * declared. The body's `held` carries these marks next to the classes it must hold, so the
 * acquire rule (rules/acquire.ts) can tell a helper body from direct code: a body may take only the
 * classes it declared (their recursion and order against the caller are checked at each call
 * site), and it checks recursion and order against what the body itself holds.
 */

/** In `held`: this context is a helper's body (its callers' held locks are not known here). */
export type HelperBody = '⟨helper body⟩'

/** In `held`: the helper declared that it takes lock class N. */
export type MayTake<N extends string> = `⟨helper takes⟩ ${N}`
