/** Plain-JavaScript views of the helper APIs: what an untyped caller writes. */
export type LooseHelper = (ctx: unknown, ...args: unknown[]) => unknown
export const looseHelper = (h: unknown): LooseHelper => h as LooseHelper
/** A function that takes a context and ignores its type rules. */
export type LooseAssert = (ctx: unknown, ...args: unknown[]) => void
export const looseAssert = (f: unknown): LooseAssert => f as LooseAssert
