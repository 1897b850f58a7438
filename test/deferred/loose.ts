/** Plain-JavaScript views of deferred-work methods: what an untyped caller writes (the type rules refuse these calls). */
export type Loose = (...args: unknown[]) => unknown

export const loose = <O extends object>(o: O, key: keyof O & string): Loose => {
  const f = o[key]
  if (typeof f !== 'function') throw new Error(`${key} is not a method`)
  return (...args) => (f as Loose).apply(o, args)
}
