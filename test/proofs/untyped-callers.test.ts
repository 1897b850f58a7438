/** Runtime item 7 and the runtime side of type items 4, 5 and 7: plain-JavaScript callers. */
import { describe, expect, it } from 'vitest'
import { type Context, createKernel, type CtxState, type Gfp, InvalidArgumentError, PromiseInScopeError } from '../../src/index.js'
import { loose, looseCtx } from '../locks/helpers.js'

/** A kernel API as a caller that ignores the types sees it. */
const untyped = <T>(value: T): Record<string, (...args: unknown[]) => unknown> => value as unknown as Record<string, (...args: unknown[]) => unknown>

describe('createKernel: unknown option keys are refused, not ignored', () => {
  it('preemptRT (for preemptRt) names the key instead of silently making the other kernel', () => {
    const create = createKernel as (options: unknown) => unknown
    expect(() => create({ preemptRT: true })).toThrow(InvalidArgumentError)
    expect(() => create({ preemptRT: true })).toThrow("createKernel: unknown option 'preemptRT'")
    expect(() => create({ lockdep: { keepgoing: true } })).toThrow("unknown option 'lockdep.keepgoing'")
  })
  it('every known key is still accepted', () => {
    const k = createKernel({
      preemptRt: true,
      cpus: 2,
      lockdep: { keepGoing: true, forceReadLockRecursive: false },
      proveRawLockNesting: true,
      irqDisable: 'save-restore',
      onDiagnostic: 'record',
      guardDrop: 'refuse',
      threadIrqs: false,
      trace: false,
      lockOrder: ['a'],
      preemptCountLayout: 'mainline',
    })
    expect(k.options.preemptRt).toBe(true)
  })
})

describe('CPU numbers name the bad argument', () => {
  it("raiseIrq(3, { cpu: '1' }) says options.cpu must be a number", () => {
    const k = createKernel({ cpus: 2 })
    expect(() => untyped(k).raiseIrq?.call(k, 3, { cpu: '1' })).toThrow("raiseIrq(): options.cpu must be a whole number, got '1' (a string)")
    expect(() => untyped(k).raiseSoftirq?.call(k, 'TIMER', 1)).toThrow('raiseSoftirq(): the options must be an object such as { cpu: 1 }')
    expect(() => untyped(k).run?.call(k, () => 0, { cpu: 1.5 })).toThrow('run(): options.cpu must be a whole number, got 1.5')
    expect(() => k.raiseIrq(3, { cpu: 2 })).toThrow('raiseIrq(): no CPU 2 (this kernel has 2)')
    expect(() => untyped(k).cpu?.call(k, null)).toThrow('cpu(): the CPU number must be a whole number, got a value of type null')
    expect(k.snapshot().every((c) => c.pendingIrqs.length === 0)).toBe(true)
  })
})

describe('kmalloc', () => {
  it('more than KMALLOC_MAX_SIZE is a named error, not a raw RangeError', () => {
    const k = createKernel()
    k.run((ctx) => {
      expect(() => ctx.kmalloc(1e12, 'GFP_KERNEL')).toThrow(InvalidArgumentError)
      expect(() => ctx.kmalloc(1e12, 'GFP_KERNEL')).toThrow('more than KMALLOC_MAX_SIZE (4194304')
      expect(ctx.kmalloc(4194304, 'GFP_KERNEL').length).toBe(4194304)
    })
    expect(k.diagnostics).toEqual([])
  })
  it('a Gfp chosen at run time is checked by its value: GFP_KERNEL under a spinlock_t is reported', () => {
    const k = createKernel()
    const stats = k.spinLock('stats', 0)
    const pick = (atomic: boolean): Gfp => (atomic ? 'GFP_ATOMIC' : 'GFP_KERNEL')
    k.run((ctx) => stats.withLocked(ctx, (c) => looseCtx(c).kmalloc(8, pick(false))))
    expect(k.diagnostics.map((d) => d.kind)).toEqual(['sleeping-in-atomic'])
    k.clearDiagnostics()
    k.run((ctx) => stats.withLocked(ctx, (c) => looseCtx(c).kmalloc(8, pick(true))))
    expect(k.diagnostics).toEqual([])
  })
})

describe("objects made from a context's prototype", () => {
  it('are named errors in lock methods and context methods, not raw TypeErrors', () => {
    const k = createKernel()
    const stats = k.spinLock('stats', 0)
    // The runtime class is not exported; its prototype is one step from any context.
    const prototype: unknown = k.run((ctx) => Object.getPrototypeOf(ctx))
    const fake: unknown = Object.create(prototype as object)
    expect(() => loose(stats)(fake, () => 0)).toThrow(InvalidArgumentError)
    expect(() => loose(stats)(fake, () => 0)).toThrow("spinlock_t 'stats'.withLocked: the first argument must be a context")
    expect(() => looseCtx(fake).raiseIrq(1)).toThrow(InvalidArgumentError)
    expect(() => (fake as Context<CtxState>).preemptDisable(() => 0)).toThrow('preempt_disable(): not a context a kernel made')
    expect(k.snapshot()[0]?.preemptCount).toBe(0)
  })
})

describe('handlers that return a Promise or thenable are refused as run() refuses a task', () => {
  // biome-ignore lint/suspicious/noThenProperty: the point of this test is a thenable that is not a Promise
  const thenable = { then: (resolve: (v: number) => void) => resolve(1) }
  const asyncHandler = (): unknown => Promise.reject(new Error('never awaited'))
  it.each([false, true])('hardirq, threaded, softirq and NMI handlers (preemptRt=%s)', (preemptRt) => {
    const k = createKernel({ preemptRt })
    const register = untyped(k)
    register.requestIrq?.call(k, 1, 'nothread', asyncHandler, { noThread: true })
    register.requestIrq?.call(k, 2, 'threadable', () => thenable)
    register.openSoftirq?.call(k, 'TIMER', asyncHandler)
    register.requestNmi?.call(k, 'perf', () => thenable)
    const before = k.snapshot()
    expect(() => k.raiseIrq(1)).toThrow("irq 1 handler 'nothread': the handler returned a Promise")
    expect(() => k.raiseIrq(2)).toThrow(PromiseInScopeError)
    expect(() => k.raiseSoftirq('TIMER')).toThrow('softirq TIMER handler: the handler returned a Promise')
    expect(() => k.raiseNmi('perf')).toThrow(PromiseInScopeError)
    // Every CPU counter is back where it was; nothing is left pending.
    expect(k.snapshot()).toEqual(before)
  })
  it('synchronous handlers with any result are fine', () => {
    const k = createKernel()
    let ran = 0
    k.requestIrq(1, 'dev', () => ++ran)
    k.raiseIrq(1)
    expect(ran).toBe(1)
  })
})

describe('recursive rwlock_t readers in interrupt context are valid on both kernels', () => {
  it.each([false, true])('a softirq and a hardirq handler read-lock twice without a report (preemptRt=%s)', (preemptRt) => {
    const k = createKernel({ preemptRt })
    const table = k.rwLock('table', 1)
    let seen = 0
    k.openSoftirq('NET_RX', (ctx) => table.withRead(ctx, (c) => table.withRead(c, (_c, v) => (seen += v))))
    k.requestIrq(3, 'nic', (ctx) => table.withRead(ctx, (c) => loose(table, 'withRead')(c, () => (seen += 10))))
    k.raiseSoftirq('NET_RX')
    k.raiseIrq(3)
    k.run(() => undefined) // RT: the threaded handler and ksoftirqd run here
    expect(seen).toBe(11)
    expect(k.diagnostics).toEqual([])
  })
  it('the exported IrqOptions type is accepted by requestIrq', () => {
    const k = createKernel()
    const options: import('../../src/index.js').IrqOptions = { noThread: true }
    let inHardirq = false
    k.requestIrq(
      4,
      'timer',
      () => {
        inHardirq = k.cpu(0).inHardirq()
      },
      options,
    )
    k.raiseIrq(4)
    expect(inHardirq).toBe(true)
  })
})
