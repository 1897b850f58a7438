/**
 * raw-nesting — a spinlock_t taken while a raw_spinlock_t is held: harmless-looking on a normal
 * kernel, a sleeping lock inside a spinning one on PREEMPT_RT. Run alone: `npx tsx examples/raw-nesting.ts`.
 */
import { createKernel, type Kernel, type KernelOptions } from '../src/index.js'
import { keep, traceOption } from './shared.js'

export const title = 'raw-nesting: spinlock_t inside raw_spinlock_t (PROVE_RAW_LOCK_NESTING and PREEMPT_RT)'

interface Hw {
  irqMask: number
}
interface Dev {
  resets: number
}

/** The plain-JavaScript shape of `spinLock.withLocked`, for the call the compiler refuses (see `broken`). */
type LooseWithLocked = (ctx: unknown, cb: (ctx: unknown, dev: Dev) => void) => void

/**
 *   raw_spin_lock(&hw_lock);        // interrupt controller registers
 *   spin_lock(&dev_lock);           // driver bookkeeping
 *   dev->resets++;
 *   spin_unlock(&dev_lock);
 *   raw_spin_unlock(&hw_lock);
 */
const broken = (options: KernelOptions): Kernel => {
  const kernel = keep('raw-nesting #1', createKernel({ ...options, ...traceOption() }))
  const hw = kernel.rawSpinLock('hw_lock', { irqMask: 0 } as Hw)
  const dev = kernel.spinLock('dev_lock', { resets: 0 } as Dev)
  // The compiler refuses this nesting. Written typed,
  //   dev.withLocked(ctx, (_ctx, d) => { d.resets += 1 })
  // fails with:
  //   error TS2345: Argument of type 'Context<Acquired<"raw_spinlock_t", "hw_lock", "plain", FreshTaskState>>' is not assignable
  //   to parameter of type 'Context<Acquired<"raw_spinlock_t", "hw_lock", "plain", FreshTaskState>> & NoInfer<WaitError<"spinlock_t",
  //   "dev_lock", "raw_spinlock_t 'hw_lock' is held">>'.
  //     Property '[errorMessage]' is missing in type 'Context<Acquired<"raw_spinlock_t", "hw_lock", "plain", FreshTaskState>>'
  //     but required in type 'LockproofError<"Invalid wait context: spinlock_t 'dev_lock' is a sleeping lock on
  //     PREEMPT_RT and cannot be taken here (raw_spinlock_t 'hw_lock' is held)">'.
  // So it is called here as plain JavaScript would call it, to show what the running kernel says.
  const devWithLocked = dev.withLocked as unknown as LooseWithLocked
  kernel.run(
    (ctx) =>
      hw.withLocked(ctx, (ctx, h) => {
        h.irqMask = 0xff
        devWithLocked(ctx, (_ctx, d) => {
          d.resets += 1
        })
      }),
    { comm: 'dev-reset' },
  )
  return kernel
}

/** Fix 1: the inner lock is raw too (only if its sections are short and bounded). */
const innerRaw = (options: KernelOptions): Kernel => {
  const kernel = keep('raw-nesting #2', createKernel({ ...options, ...traceOption() }))
  const hw = kernel.rawSpinLock('hw_lock', { irqMask: 0 } as Hw)
  const dev = kernel.rawSpinLock('dev_lock', { resets: 0 } as Dev)
  kernel.run(
    (ctx) =>
      hw.withLocked(ctx, (ctx, h) => {
        h.irqMask = 0xff
        dev.withLocked(ctx, (_ctx, d) => {
          d.resets += 1
        })
      }),
    { comm: 'dev-reset' },
  )
  return kernel
}

/** Fix 2: move the bookkeeping out: spinlock_t outside, raw_spinlock_t inside (or one after the other). */
const movedOut = (options: KernelOptions): Kernel => {
  const kernel = keep('raw-nesting #3', createKernel({ ...options, ...traceOption() }))
  const hw = kernel.rawSpinLock('hw_lock', { irqMask: 0 } as Hw)
  const dev = kernel.spinLock('dev_lock', { resets: 0 } as Dev)
  kernel.run(
    (ctx) =>
      dev.withLocked(ctx, (ctx, d) => {
        d.resets += 1
        hw.withLocked(ctx, (_ctx, h) => {
          h.irqMask = 0xff
        })
      }),
    { comm: 'dev-reset' },
  )
  return kernel
}

const KERNELS: readonly { readonly label: string; readonly short: string; readonly options: KernelOptions }[] = [
  { label: 'normal kernel, PROVE_RAW_LOCK_NESTING=n', short: 'normal/n', options: { proveRawLockNesting: false } },
  { label: 'normal kernel, PROVE_RAW_LOCK_NESTING=y (the default)', short: 'normal/y', options: {} },
  { label: 'PREEMPT_RT', short: 'RT', options: { preemptRt: true } },
]

export function run(log: (line: string) => void = console.log): void {
  log("dev-reset takes the interrupt controller's raw_spinlock_t hw_lock, then the driver's spinlock_t")
  log('dev_lock inside it. On a normal kernel both spin, so this works. On PREEMPT_RT spinlock_t is an')
  log('rtmutex that may sleep, and raw_spinlock_t still disables preemption: a sleep in atomic context.')
  log('lockdep gives every lock a wait type (raw_spinlock_t 2 = spin, spinlock_t 3 = config: spins only')
  log('on !RT) and with PROVE_RAW_LOCK_NESTING checks the RT rule on a normal kernel too.')
  log("The compiler refuses the nesting: \"Invalid wait context: spinlock_t 'dev_lock' is a sleeping lock")
  log("on PREEMPT_RT and cannot be taken here (raw_spinlock_t 'hw_lock' is held)\".")
  log('')
  for (const { label, options } of KERNELS) {
    const kernel = broken(options)
    log(`${label}: ${kernel.diagnostics.length === 0 ? 'no reports' : kernel.diagnostics.map((d) => d.title).join(' + ')}`)
  }
  log('')
  const rt = broken({ preemptRt: true })
  log('The reports on PREEMPT_RT (a normal kernel with PROVE_RAW_LOCK_NESTING prints the first one):')
  for (const d of rt.diagnostics) {
    log(d.report)
    log('')
  }

  log('The fix: no sleeping lock under a raw one. Either make dev_lock a raw_spinlock_t (its sections')
  log('must then be short and bounded), or take dev_lock outside hw_lock:')
  for (const [fix, program] of [
    ['dev_lock raw', innerRaw],
    ['dev_lock outside hw_lock', movedOut],
  ] as const) {
    const counts = KERNELS.map(({ short, options }) => `${short} ${program(options).diagnostics.length}`)
    log(`  ${fix.padEnd(25)} reports: ${counts.join(', ')}`)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) run()
