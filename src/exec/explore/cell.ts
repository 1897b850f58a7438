/**
 * Shared cells: a word of memory that tasks and handlers read and write without a lock, in the
 * spirit of READ_ONCE()/WRITE_ONCE() (marked) and plain C accesses. Each access is two scheduling
 * points (./kcsan.ts says why): the explorer may run anything between them, and a conflicting
 * access begun meanwhile by another context is reported as KCSAN would.
 */
import type { Access, Op, WaitChannel } from '../wait.js'
import type { AccessSite, RaceDetector } from './kcsan.js'

/** A shared word: plain `read`/`write`, marked `readOnce`/`writeOnce`. Each returns a generator: `yield*` it. */
export interface Cell<T, C> {
  readonly name: string
  /** A plain read (`x = c`): races with a concurrent write of another context. */
  read(ctx: C): Op<T>
  /** A plain write (`c = v`). */
  write(ctx: C, value: T): Op<void>
  /** `READ_ONCE(c)`: marked; races only with a concurrent plain write. */
  readOnce(ctx: C): Op<T>
  /** `WRITE_ONCE(c, v)`: marked; races with a concurrent plain access. */
  writeOnce(ctx: C, value: T): Op<void>
  /** The value now, outside any task (for the model's checks at the end). */
  peek(): T
}

export const createCell = <T, C>(channel: WaitChannel, init: T, detector: RaceDetector, siteOf: (ctx: C) => AccessSite): Cell<T, C> => {
  let value = init
  const readPoint = { tag: 'point', access: { channel, write: false } satisfies Access } as const
  const writePoint = { tag: 'point', access: { channel, write: true } satisfies Access } as const
  function* access<R>(ctx: C, write: boolean, marked: boolean, act: () => R): Op<R> {
    const point = write ? writePoint : readPoint
    yield point
    const watch = detector.begin(channel.name, write, marked, siteOf(ctx))
    try {
      yield point
      return act()
    } finally {
      detector.end(watch)
    }
  }
  return {
    name: channel.name,
    read: (ctx) => access(ctx, false, false, () => value),
    write: (ctx, v) =>
      access(ctx, true, false, () => {
        value = v
      }),
    readOnce: (ctx) => access(ctx, false, true, () => value),
    writeOnce: (ctx, v) =>
      access(ctx, true, true, () => {
        value = v
      }),
    peek: () => value,
  }
}
