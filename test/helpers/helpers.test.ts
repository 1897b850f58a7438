/**
 * helper() at run time: valid helpers report nothing on either kernel; the seeded bugs of
 * type-tests/helpers.test-d.ts, called with the types bypassed, are reported as the kernel
 * reports them; bad declarations and calls are named errors; nothing is left changed.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, DeadlockError, helper, InvalidArgumentError, KernelSplat, lockdepAssertHeld, takes, type Diagnostic } from '../../src/index.js'
import { loose } from '../locks/helpers.js'
import { looseHelper } from './loose.js'

const kinds = (ds: readonly Diagnostic[]) => ds.map((d) => d.kind)

const setup = (preemptRt: boolean, onDiagnostic: 'record' | 'throw' = 'record') => {
  const kernel = createKernel({ preemptRt, onDiagnostic, lockOrder: ['cfg', 'port', 'stats'] })
  const cfg = kernel.mutex('cfg', { mode: 'fast' })
  const port = kernel.spinLock('port', { tx: 0, rx: 0 })
  const stats = kernel.spinLock('stats', { n: 0 })
  const rxChars = helper({ name: 'serial8250_rx_chars', mustHold: [port] }, (ctx) => ctx.cpuId)
  const consoleWrite = helper({ name: 'serial8250_console_write', takes: [takes(port, 'irqsave')] }, (ctx, s: string) =>
    port.withLockedIrqSave(ctx, (_ctx, p) => (p.tx += s.length)),
  )
  const handleIrq = helper({ name: 'serial8250_handle_irq', takes: [takes(port, 'irqsave')], calls: [rxChars] }, (ctx) =>
    port.withLockedIrqSave(ctx, (ctx) => rxChars(ctx)),
  )
  const reconfigure = helper({ name: 'reconfigure', takes: [takes(cfg)] }, (ctx) => cfg.withLocked(ctx, (ctx) => ctx.msleep(1)))
  const sleeper = helper({ name: 'sleeper', mightSleep: true }, (ctx) => ctx.msleep(1))
  const poke = helper({ name: 'poke', needs: { irq: true } }, () => 1)
  return { kernel, cfg, port, stats, rxChars, consoleWrite, handleIrq, reconfigure, sleeper, poke }
}

describe.each([false, true])('helpers, preemptRt=%s', (preemptRt) => {
  it('valid helpers report nothing and return the body result', () => {
    const { kernel, cfg, consoleWrite, handleIrq, reconfigure, sleeper, port, rxChars } = setup(preemptRt)
    expect(kernel.run((ctx) => consoleWrite(ctx, 'hello'))).toBe(5)
    kernel.run((ctx) => handleIrq(ctx))
    kernel.run((ctx) => reconfigure(ctx))
    kernel.run((ctx) => sleeper(ctx))
    kernel.run((ctx) => cfg.withLocked(ctx, (ctx) => consoleWrite(ctx, 'x')))
    kernel.run((ctx) => port.withLocked(ctx, (ctx) => rxChars(ctx)))
    expect(kernel.diagnostics).toEqual([])
  })

  it('recursion through a helper: lockdep reports it, the lock reports the deadlock and throws, nothing stays held', () => {
    const { kernel, port, consoleWrite } = setup(preemptRt)
    const write = looseHelper(consoleWrite)
    expect(() => kernel.run((ctx) => loose(port)(ctx, (ctx) => write(ctx, 'AA')))).toThrow(DeadlockError)
    expect(kinds(kernel.diagnostics)).toEqual(['recursive-locking', 'deadlock'])
    expect(kernel.diagnostics[0]?.report).toContain("spinlock_t 'port'")
    expect(kernel.cpu(0).preemptCount).toBe(0)
    expect(kernel.cpu(0).irqsDisabled).toBe(false)
  })

  it('order inversion through a helper is the declared-order report', () => {
    const { kernel, stats, consoleWrite } = setup(preemptRt)
    kernel.run((ctx) => loose(stats)(ctx, (ctx) => looseHelper(consoleWrite)(ctx, 'ABBA')))
    expect(kinds(kernel.diagnostics)).toEqual(['lock-order'])
    expect(kernel.diagnostics[0]?.report).toContain("task-1/1 is trying to acquire spinlock_t 'port'\nwhile holding spinlock_t 'stats'")
  })

  it('sleeping through a helper: a mutex under a spinlock_t is reported as on the kernel', () => {
    const { kernel, stats, reconfigure } = setup(preemptRt)
    kernel.run((ctx) => loose(stats)(ctx, (ctx) => looseHelper(reconfigure)(ctx)))
    // mutex_lock()'s might_sleep(), lockdep's wait-context check, then the body's msleep(), which has
    // no might_sleep(): schedule() reports (on RT the spinlock_t's RCU section: rcu_note_context_switch()).
    expect(kinds(kernel.diagnostics)).toEqual(['sleeping-in-atomic', 'invalid-wait-context', preemptRt ? 'kernel-warning' : 'scheduling-while-atomic'])
  })

  it('mightSleep: the call itself is might_sleep()', () => {
    const { kernel, stats, sleeper } = setup(preemptRt)
    kernel.run((ctx) => loose(stats)(ctx, (ctx) => looseHelper(sleeper)(ctx)))
    expect(kinds(kernel.diagnostics)[0]).toBe('sleeping-in-atomic')
    expect(kernel.diagnostics[0]?.report).toContain('BUG: sleeping function called from invalid context at might_sleep()')
  })

  it('a helper that must be called holding a lock, called without it: lockdep_assert_held() WARN at the helper', () => {
    const { kernel, rxChars } = setup(preemptRt)
    kernel.run((ctx) => looseHelper(rxChars)(ctx))
    expect(kernel.diagnostics).toHaveLength(1)
    const d = kernel.diagnostics[0]
    expect(d).toMatchObject({
      kind: 'lockdep-assert',
      assertion: 'lockdep_assert_held(port)',
      where: 'serial8250_rx_chars',
      title: 'WARNING: CPU: 0 PID: 1 at serial8250_rx_chars',
    })
    expect(d?.report.split('\n')).toEqual([
      '------------[ cut here ]------------',
      'WARNING: CPU: 0 PID: 1 at serial8250_rx_chars',
      'CPU: 0 PID: 1 Comm: task-1',
      '---[ end trace 0000000000000000 ]---',
    ])
  })

  it('mustHold is by class, as the declaration; the body asserts the instance (lockdep_is_held() is per instance)', () => {
    const { kernel, port } = setup(preemptRt)
    const port1 = kernel.spinLock('port', { tx: 0, rx: 0 })
    const txChars = helper({ name: 'serial8250_tx_chars', mustHold: [port] }, (ctx) => lockdepAssertHeld(ctx, port, 'serial8250_tx_chars'))
    kernel.run((ctx) => port1.withLocked(ctx, (ctx) => txChars(ctx)))
    expect(kernel.diagnostics).toMatchObject([{ kind: 'lockdep-assert', assertion: 'lockdep_assert_held(port)', where: 'serial8250_tx_chars' }])
    kernel.clearDiagnostics()
    kernel.run((ctx) => port.withLocked(ctx, (ctx) => txChars(ctx)))
    expect(kernel.diagnostics).toEqual([])
  })

  it('needs { irq: true } is lockdep_assert_irqs_disabled(), WARN_ON_ONCE: once per helper', () => {
    const { kernel, port, poke } = setup(preemptRt)
    kernel.run((ctx) => looseHelper(poke)(ctx))
    kernel.run((ctx) => looseHelper(poke)(ctx))
    // spin_lock_irqsave() disables interrupts on a normal kernel only: the warning stays silent there.
    const before = kernel.diagnostics.length
    kernel.run((ctx) => loose(port, 'withLockedIrqSave')(ctx, (ctx) => looseHelper(poke)(ctx)))
    expect(before).toBe(1)
    expect(kernel.diagnostics[0]).toMatchObject({ kind: 'lockdep-assert', assertion: 'lockdep_assert_irqs_disabled()', where: 'poke' })
    expect(kernel.diagnostics).toHaveLength(1)
  })

  it('needs { preempt } and { bh }: WARN_ON_ONCE unless preemption (bottom halves) are off here', () => {
    const { kernel } = setup(preemptRt)
    const pinned = helper({ name: 'this_cpu_op', needs: { preempt: true } }, () => 0)
    const bhSafe = helper({ name: 'napi_op', needs: { bh: true } }, () => 0)
    kernel.run((ctx) => ctx.preemptDisable((ctx) => pinned(ctx)))
    kernel.run((ctx) => ctx.localBhDisable((ctx) => bhSafe(ctx)))
    expect(kernel.diagnostics).toEqual([])
    kernel.run((ctx) => looseHelper(pinned)(ctx))
    kernel.run((ctx) => looseHelper(bhSafe)(ctx))
    expect(kernel.diagnostics.map((d) => (d.kind === 'lockdep-assert' ? `${d.assertion} at ${d.where}` : d.kind))).toEqual([
      'lockdep_assert_preemption_disabled() at this_cpu_op',
      'WARN_ON_ONCE(!in_softirq()) at napi_op',
    ])
  })

  it("onDiagnostic 'throw': the warning is thrown before the body runs, and nothing changed", () => {
    const { kernel, port, rxChars } = setup(preemptRt, 'throw')
    let ran = false
    const rx = helper({ name: 'rx', mustHold: [port] }, () => {
      ran = true
    })
    expect(() => kernel.run((ctx) => looseHelper(rx)(ctx))).toThrow(KernelSplat)
    expect(ran).toBe(false)
    expect(kernel.cpu(0).preemptCount).toBe(0)
    void rxChars
  })
})

describe('helper declarations and calls from untyped code', () => {
  const kernel = createKernel()
  const port = kernel.spinLock('port', 0)
  const bad =
    (spec: unknown, body: unknown = () => 0) =>
    () =>
      (helper as unknown as (s: unknown, b: unknown) => unknown)(spec, body)

  it('refuses a declaration without a name, with takes that are not takes(), or a body that is not a function', () => {
    expect(bad({})).toThrow(new InvalidArgumentError('helper(): the declaration needs a name (the function it stands for)'))
    expect(bad({ name: 'x', takes: [port] })).toThrow(new InvalidArgumentError('helper x(): takes lists takes(lock, variant), not [object Object]'))
    expect(bad({ name: 'x', mustHold: [{ kind: 'spinlock_t', name: 'fake' }] })).toThrow(
      new InvalidArgumentError('helper x(): mustHold lists locks made by a kernel'),
    )
    expect(bad({ name: 'x', calls: [() => 0] })).toThrow(new InvalidArgumentError('helper x(): calls lists helpers made by helper()'))
    expect(bad({ name: 'x' }, 42)).toThrow(new InvalidArgumentError('helper x(): the second argument must be its body'))
    expect(() => (takes as unknown as (l: unknown, v: string) => unknown)(port, 'rcu')).toThrow(
      new InvalidArgumentError('takes(): spinlock_t has no variant rcu (plain, irq, irqsave, bh)'),
    )
  })

  it('refuses a call without a context', () => {
    const h = looseHelper(helper({ name: 'h' }, () => 0))
    expect(() => h({})).toThrow(new InvalidArgumentError('h(): the first argument must be a context'))
  })

  it('calls compose: a helper has the takes and mightSleep of the helpers it calls', () => {
    const cfg = kernel.mutex('cfg', 0)
    const inner = helper({ name: 'inner', takes: [takes(cfg)] }, (ctx) => cfg.withLocked(ctx, () => 0))
    const outer = helper({ name: 'outer', takes: [takes(port, 'irqsave')], calls: [inner] }, (ctx) => inner(ctx))
    expect(outer.effects.takes.map((t) => `${t.name}:${t.variant}`)).toEqual(['port:irqsave', 'cfg:plain'])
    expect(outer.name).toBe('outer')
  })
})
