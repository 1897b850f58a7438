/**
 * Shared cells: a word of memory that tasks and handlers read and write without a lock, in the
 * spirit of READ_ONCE()/WRITE_ONCE() (marked) and plain C accesses. Each access is two scheduling
 * points (./kcsan.ts says why): the explorer may run anything between them, and a conflicting
 * access begun meanwhile by another context is reported as KCSAN would.
 */
import type { CtxState } from '../../rules/state.js'
import type { Context } from '../context.js'
import type { Access, Op, WaitChannel } from '../wait.js'
import type { AccessSite, RaceDetector } from './kcsan.js'

/**
 * A shared cell of the model kernel (`k.cell(name, init)`): plain `read`/`write` and marked
 * `readOnce`/`writeOnce` (READ_ONCE/WRITE_ONCE), each used with `yield*`; the explorer reports
 * conflicting accesses in flight together as KCSAN does.
 *
 * @example
 * ```ts
 * import { defineModel, explore, type ModelCell } from 'lockproof'
 *
 * const m = defineModel((k) => {
 *   const hits: ModelCell<number> = k.cell('hits', 0)
 *   k.task('poller', { cpu: 0 }, function* (ctx) { yield* hits.write(ctx, (yield* hits.read(ctx)) + 1) })
 *   k.task('reader', { cpu: 1 }, function* (ctx) { yield* hits.read(ctx) })
 * }, { cpus: 2 })
 * console.log(explore(m, { kernels: ['normal'] }).counterexamples[0]?.title) // 'BUG: KCSAN: data-race in poller / reader'
 * ```
 */
export interface ModelCell<T> {
  /** Its name, as a race report prints it. */
  readonly name: string
  /** A plain read (`x = c`): races with a concurrent write of another context. */
  read(ctx: Context<CtxState>): Op<T>
  /** A plain write (`c = v`). */
  write(ctx: Context<CtxState>, value: T): Op<void>
  /** `READ_ONCE(c)`: marked; races only with a concurrent plain write. */
  readOnce(ctx: Context<CtxState>): Op<T>
  /** `WRITE_ONCE(c, v)`: marked; races with a concurrent plain access. */
  writeOnce(ctx: Context<CtxState>, value: T): Op<void>
  /** The value now, outside any task (for the model's checks at the end). */
  peek(): T
}

export const createCell = <T>(channel: WaitChannel, init: T, detector: RaceDetector, siteOf: (ctx: Context<CtxState>) => AccessSite): ModelCell<T> => {
  let value = init
  const readPoint = { tag: 'point', access: { channel, write: false } satisfies Access } as const
  const writePoint = { tag: 'point', access: { channel, write: true } satisfies Access } as const
  function* access<R>(ctx: Context<CtxState>, write: boolean, marked: boolean, act: () => R): Op<R> {
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
