/**
 * The floor: the least any design with a fresh context per scope does, written by hand with no
 * kernel model at all. A scope object (so that a context used after its scope throws), an id
 * stack (the innermost-scope check), one counter, one owner field, the thenable check. It shows
 * how much of lockproof's cost is the model and how much is the price of stale-context detection.
 */
let nextId = 1

class Scope {
  live = true
  readonly id = nextId++
}

interface FloorCpu {
  readonly ids: number[]
  preemptCount: number
}

export interface FloorLock<D> {
  owner: Scope | null
  readonly data: D
}

const refuse = (): never => {
  throw new Error('floor: misuse')
}

/** `withLocked` reduced to its skeleton: check, count, own, fresh scope, callback, undo. */
export const floorWithLocked = <D, R>(cpu: FloorCpu, ctx: Scope, lock: FloorLock<D>, cb: (ctx: Scope, data: D) => R): R => {
  const ids = cpu.ids
  if (!ctx.live || ids[ids.length - 1] !== ctx.id || lock.owner !== null) refuse()
  cpu.preemptCount++
  lock.owner = ctx
  const child = new Scope()
  ids.push(child.id)
  let result: R
  try {
    result = cb(child, lock.data)
  } finally {
    child.live = false
    ids.pop()
    lock.owner = null
    cpu.preemptCount--
  }
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') refuse()
  return result
}

/** A CPU and a root scope to run the floor on. */
export const floorSetup = (): { cpu: FloorCpu; root: Scope } => {
  const root = new Scope()
  return { cpu: { ids: [root.id], preemptCount: 0 }, root }
}
