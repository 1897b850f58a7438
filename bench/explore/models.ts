/** The models the explorer's benchmark runs. */
import { defineModel, type Model, type Op } from '../../src/index.js'
import { rfl998TwoCpus } from '../../test/fixtures/models.js'

/** The standard model: 2 CPUs, 2 tasks of 3 lock operations each, one interrupt line (its handler takes a lock of its own). */
export const standardModel = (lockdep: boolean): Model =>
  defineModel(
    (k) => {
      const x = k.spinLock('x', 0)
      const y = k.spinLock('y', 0)
      const z = k.spinLock('z', 0)
      k.irq(5, { cpu: 0, name: 'dev' }, function* (ctx) {
        yield* z.withLocked(ctx, function* () {})
      })
      k.task('a', { cpu: 0 }, function* (ctx) {
        yield* x.withLocked(ctx, function* () {})
        yield* y.withLocked(ctx, function* () {})
        yield* x.withLocked(ctx, function* () {})
      })
      k.task('b', { cpu: 1 }, function* (ctx) {
        yield* y.withLocked(ctx, function* () {})
        yield* x.withLocked(ctx, function* () {})
        yield* y.withLocked(ctx, function* () {})
      })
    },
    { cpus: 2, lockdep },
  )

/** The untyped face of a model lock, for nesting built at run time (the types are tested elsewhere, as bench/runtime does). */
interface AnyModelLock {
  withLocked(ctx: unknown, cb: (ctx: unknown) => Op<void>): Op<void>
}

/** Dining philosophers: philosopher i on CPU i takes fork i, then fork i+1 (deadlocks when all hold their first). */
export const philosophers = (n: number): Model =>
  defineModel(
    (k) => {
      const forks: AnyModelLock[] = Array.from({ length: n }, (_, i) => k.spinLock(`fork${i}`, 0) as unknown as AnyModelLock)
      for (let i = 0; i < n; i++) {
        const first = forks[i] as AnyModelLock
        const second = forks[(i + 1) % n] as AnyModelLock
        k.task(`phil${i}`, { cpu: i }, function* (ctx) {
          yield* first.withLocked(ctx, function* (ctx) {
            yield* second.withLocked(ctx, function* () {})
          })
        })
      }
    },
    { cpus: n, lockdep: false },
  )

/** N independent tasks, each on its own CPU with its own lock, taken twice. */
export const independent = (n: number): Model =>
  defineModel(
    (k) => {
      for (let i = 0; i < n; i++) {
        const own = k.spinLock(`own${i}`, 0)
        k.task(`t${i}`, { cpu: i }, function* (ctx) {
          yield* own.withLocked(ctx, function* () {})
          yield* own.withLocked(ctx, function* () {})
        })
      }
    },
    { cpus: n, lockdep: false },
  )

/** Rust-for-Linux #998 (save/restore guards dropped out of order, a handler taking the inner lock), with a second CPU's task on both locks. */
export const rfl998 = (): Model => rfl998TwoCpus(false)
