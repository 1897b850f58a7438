/** What an untyped JavaScript caller writes: a method called with whatever context it has (the types refuse it). */
export type Untyped = (...args: unknown[]) => unknown

export const untyped = <O extends object>(o: O, key: keyof O & string): Untyped => {
  const f: unknown = o[key]
  if (typeof f !== 'function') throw new Error(`${key} is not a method`)
  return (...args) => Reflect.apply(f, o, args)
}
