/**
 * spinlockirq-token — the SpinLockIrq design of the Rust-for-Linux v6 series: a lock that
 * demands an `IrqDisabled` token, used from local_irq_save(). Fine on a normal kernel, a
 * might_sleep splat on PREEMPT_RT, refused by lockproof's types; then the mapping the
 * maintainers accepted (spin_lock_irqsave). Run alone: `npx tsx examples/spinlockirq-token.ts`.
 */
import { createKernel, type IrqDisabled, type SpinLock } from '../src/index.js'
import { keep, traceOption } from './shared.js'

export const title = 'spinlockirq-token: a lock that wants "interrupts are off" as a token, on both kernels'

/** How the v6 design reads: prove interrupts are off, then take a plain spin_lock(). */
type V6WithLocked = (token: IrqDisabled, cb: (ctx: IrqDisabled, queue: number[]) => void) => void

/**
 * The compiler refuses `queue.withLocked(token, …)` where `token` comes from local_irq_save():
 *   Invalid wait context: spinlock_t 'queue' is a sleeping lock on PREEMPT_RT and cannot be taken
 *   here (interrupts are disabled (local_irq_save()))
 * (type-tests/rule2-invalid-wait-context.test-d.ts asserts it.) To show what it would do at run
 * time, call it the way plain JavaScript would.
 */
const v6Design = (queue: SpinLock<'queue', number[]>): V6WithLocked => queue.withLocked as unknown as V6WithLocked

export function run(log: (line: string) => void = console.log): void {
  log('The v6 SpinLockIrq took a proof that interrupts are off and then did a plain spin_lock():')
  log('    local_irq_save(flags);  lock.lock(&irq_disabled_token);  ...')
  for (const preemptRt of [false, true]) {
    const kernel = keep(`v6 design, ${preemptRt ? 'RT' : 'normal'}`, createKernel({ preemptRt, ...traceOption() }))
    const queue = kernel.spinLock('queue', [] as number[])
    kernel.run(
      (ctx) =>
        ctx.core.localIrqSave((irqOff) => {
          v6Design(queue)(irqOff, (_ctx, q) => q.push(1))
        }),
      { comm: 'driver' },
    )
    const splats = kernel.diagnostics
    log('')
    log(
      `${preemptRt ? 'PREEMPT_RT' : 'Normal kernel'}: ${splats.length === 0 ? 'no report — spin_lock() under local_irq_save() is spin_lock_irqsave() here.' : 'spinlock_t is an rtmutex that may sleep, and interrupts are off:'}`,
    )
    for (const d of splats) for (const line of d.report.split('\n').slice(0, 4)) log(`    ${line}`)
  }

  log('')
  log('lockproof refuses the v6 shape at compile time, for both kernels at once:')
  log("    Invalid wait context: spinlock_t 'queue' is a sleeping lock on PREEMPT_RT and cannot be")
  log('    taken here (interrupts are disabled (local_irq_save()))')
  log('and a SpinLockIrq never proves IrqDisabled: on RT its irqsave does not disable interrupts.')

  log('')
  log('The accepted mapping: SpinLockIrq::with_locked() is spin_lock_irqsave()/spin_unlock_irqrestore(),')
  log('callable from any context, with no token:')
  for (const preemptRt of [false, true]) {
    const kernel = keep(`irqsave mapping, ${preemptRt ? 'RT' : 'normal'}`, createKernel({ preemptRt, ...traceOption() }))
    const queue = kernel.spinLockIrq('queue', [] as number[])
    const cpu = kernel.cpu(0)
    let inside = ''
    kernel.run(
      (ctx) =>
        queue.withLocked(ctx, (_ctx, q) => {
          q.push(1)
          inside = `irqs_disabled=${cpu.irqsDisabled ? 1 : 0} preempt_count=${cpu.preemptCount} migrate_disable=${cpu.current.migrationDisabled}`
        }),
      { comm: 'driver' },
    )
    log(`    ${(preemptRt ? 'PREEMPT_RT' : 'normal').padEnd(10)} inside: ${inside}; reports: ${kernel.diagnostics.length}`)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) run()
