/**
 * percpu-local-lock — per-CPU data protected by local_irq_save(), converted to local_lock_t
 * (Documentation/locking/locktypes.rst, "local_lock_t"). Run alone: `npx tsx examples/percpu-local-lock.ts`.
 */
import { type Context, createKernel, type Kernel, type FreshTaskState } from '../src/index.js'
import { keep, traceOption } from './shared.js'

export const title = 'percpu-local-lock: local_irq_save() around per-CPU data becomes local_lock_irqsave()'

interface PerCpu {
  count: number
}
interface Total {
  sum: number
}

/** The plain-JavaScript shape of `spinLock.withLocked`, for the call the compiler refuses (see `oldPattern`). */
type LooseWithLocked = (ctx: unknown, cb: (ctx: unknown, total: Total) => void) => void

const kernelName = (preemptRt: boolean): string => (preemptRt ? 'PREEMPT_RT' : 'normal kernel')

/** What a section does to the CPU, read from the CPU view while it runs. */
const cpuState = (kernel: Kernel, cpu: number): string => {
  const view = kernel.cpu(cpu)
  const t = view.current
  return `preempt_count=${view.preemptCount} irqs_disabled=${view.irqsDisabled ? 1 : 0} migrate_disable=${t.migrationDisabled} rcu=${t.rcuReadLockNesting}`
}

/**
 * The old pattern:
 *   local_irq_save(flags);
 *   this_cpu_inc(pcp->count);
 *   spin_lock(&total_lock); total += 1; spin_unlock(&total_lock);
 *   local_irq_restore(flags);
 */
const oldPattern = (preemptRt: boolean): { kernel: Kernel; inside: string } => {
  const kernel = keep('percpu-local-lock #1', createKernel({ preemptRt, cpus: 2, ...traceOption() }))
  const pcp: PerCpu[] = [{ count: 0 }, { count: 0 }]
  const total = kernel.spinLock('total_lock', { sum: 0 } as Total)
  // The compiler refuses a spinlock_t inside local_irq_save(). Written typed,
  //   total.withLocked(ctx, (_ctx, t) => { t.sum += 1 })
  // fails with:
  //   error TS2345: Argument of type 'Context<IrqsSavedIn<FreshTaskState>>' is not assignable to parameter of type
  //   'Context<IrqsSavedIn<FreshTaskState>> & NoInfer<WaitError<"spinlock_t", "total_lock", "interrupts are disabled (local_irq_save())">>'.
  //     Property '[errorMessage]' is missing in type 'Context<IrqsSavedIn<FreshTaskState>>' but required in type
  //     'LockproofError<"Invalid wait context: spinlock_t 'total_lock' is a sleeping lock on PREEMPT_RT and cannot be
  //     taken here (interrupts are disabled (local_irq_save()))">'.
  // So it is called here as plain JavaScript would call it, to show what the running kernel says.
  const totalWithLocked = total.withLocked as unknown as LooseWithLocked
  let inside = ''
  kernel.run(
    (ctx) =>
      ctx.core.localIrqSave((ctx) => {
        const mine = pcp[ctx.cpuId] as PerCpu
        mine.count += 1
        inside = cpuState(kernel, ctx.cpuId)
        totalWithLocked(ctx, (_ctx, t) => {
          t.sum += 1
        })
      }),
    { comm: 'counter' },
  )
  return { kernel, inside }
}

/**
 * The conversion:
 *   local_lock_irqsave(&pcp.lock, flags);
 *   this_cpu_inc(pcp.count);
 *   spin_lock(&total_lock); total += 1; spin_unlock(&total_lock);
 *   local_unlock_irqrestore(&pcp.lock, flags);
 */
const converted = (preemptRt: boolean): { kernel: Kernel; inside: string; seen: string } => {
  const kernel = keep('percpu-local-lock #2', createKernel({ preemptRt, cpus: 2, ...traceOption() }))
  const pcp = kernel.localLock('pcp', (_cpu): PerCpu => ({ count: 0 }))
  const total = kernel.spinLock('total_lock', { sum: 0 } as Total)
  const seen: string[] = []
  let inside = ''
  const bump = (ctx: Context<FreshTaskState>): void =>
    pcp.withLockedIrqSave(ctx, (ctx, mine) => {
      mine.count += 1
      inside = cpuState(kernel, ctx.cpuId)
      seen.push(`CPU${ctx.cpuId} pcp.count=${mine.count}`)
      total.withLocked(ctx, (_ctx, t) => {
        t.sum += 1
      })
    })
  kernel.run(bump, { comm: 'counter', cpu: 0 })
  kernel.run(bump, { comm: 'counter', cpu: 1 })
  kernel.run(bump, { comm: 'counter', cpu: 1 })
  const sum = kernel.run((ctx) => total.withLocked(ctx, (_ctx, t) => t.sum), { comm: 'reader' })
  return { kernel, inside, seen: `${seen.join(', ')}; total=${sum}` }
}

const reports = (kernel: Kernel, log: (line: string) => void): void => {
  log(`    ${kernel.diagnostics.length === 0 ? 'no reports' : `${kernel.diagnostics.length} report(s):`}`)
  for (const d of kernel.diagnostics) {
    log(`    title: ${d.title}`)
    log(d.report)
  }
}

export function run(log: (line: string) => void = console.log): void {
  log('Per-CPU counters, protected the old way: interrupts off on this CPU, so nothing else on')
  log('the CPU (task or interrupt) can touch them; a global total is then updated under a spinlock_t.')
  log('  local_irq_save(flags); this_cpu_inc(pcp->count); spin_lock(&total_lock); ...')
  log('')
  log('(a) The old pattern, on each kernel:')
  for (const rt of [false, true]) {
    const { kernel, inside } = oldPattern(rt)
    log(`  ${kernelName(rt)}, inside local_irq_save(): ${inside}`)
    reports(kernel, log)
  }
  log('On a normal kernel spin_lock() with interrupts off is fine. On PREEMPT_RT spinlock_t is an')
  log('rtmutex, a lock that may sleep, and local_irq_save() really disables interrupts there too:')
  log('sleeping with interrupts off. The compiler refuses this nesting as well ("Invalid wait context:')
  log("spinlock_t 'total_lock' is a sleeping lock on PREEMPT_RT ... (interrupts are disabled (local_irq_save()))\").")
  log('')
  log('(b) The fix: name the protection. A local_lock_t guards the per-CPU data; on a normal kernel')
  log('local_lock_irqsave() is local_irq_save() (plus lockdep), on RT a per-CPU spinlock_t taken with')
  log('migration disabled: interrupts stay on, so the spinlock_t inside may sleep. Two CPUs, run on 0, 1, 1:')
  for (const rt of [false, true]) {
    const { kernel, inside, seen } = converted(rt)
    log(`  ${kernelName(rt)}, inside local_lock_irqsave(): ${inside}`)
    log(`    counters seen: ${seen}`)
    reports(kernel, log)
  }
  log('Each CPU sees only its own counter. Normal kernel: interrupts off, preemption counter untouched;')
  log('PREEMPT_RT: interrupts on, migrate_disable depth 2 (local_lock + its spinlock_t) and the RCU read')
  log('lock every RT spinlock_t takes — the section is preemptible but stays on its CPU.')
}

if (import.meta.url === `file://${process.argv[1]}`) run()
