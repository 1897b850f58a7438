/**
 * helpers — real driver code is helpers: the 8250 UART's interrupt path and binder's
 * Process/Node locking, written as the kernel writes them, and five bugs that hide in helpers.
 * Run alone: `npx tsx examples/helpers.ts`.
 */
import { DeadlockError, describeDiagnostic, LockedByError } from '../src/index.js'
import { binder } from './helpers-binder.js'
import { uart8250 } from './helpers-uart.js'
import { keep, traceOption } from './shared.js'

export const title = 'helpers: the 8250 interrupt path and binder Process/Node, every rule kept through helpers'

/** A helper or lock method called as plain JavaScript would call it: the types bypassed. */
type Untyped = (ctx: unknown, ...args: unknown[]) => unknown
const untyped = (f: unknown): Untyped => f as Untyped

/** The 8250 driver's normal life on one kernel: add, open, write, interrupt, console, close. */
export const uartLife = (preemptRt: boolean) => {
  const u = uart8250({ preemptRt, ...traceOption() })
  keep(`8250, ${preemptRt ? 'PREEMPT_RT' : 'normal kernel'}`, u.kernel)
  u.requestIrq(4)
  u.kernel.run((ctx) => u.addOnePort(ctx), { comm: 'modprobe' })
  u.kernel.run(
    (ctx) => {
      u.ttyPortOpen(ctx)
      u.uartWrite(ctx, 'hi')
      u.port.withLockedIrqSave(ctx, (_ctx, up) => up.fifo.push(0x41, 0x42))
      ctx.raiseIrq(4) // serial8250_interrupt: rx and tx under port->lock
      u.printk(ctx, '!') // console_trylock() took console_sem: flushed to the wire at once
      u.consoleLock(ctx) // console_sem held: a printk() now only stores its record
      u.printk(ctx, '?')
      u.consoleUnlock(ctx) // flushes '?' and up()s console_sem
      u.ttyPortClose(ctx)
    },
    { comm: 'getty' },
  )
  return u
}

/** Binder's normal life: a handle to the server's node in the client, references taken and dropped. */
export const binderLife = (preemptRt: boolean) => {
  const b = binder({ preemptRt, ...traceOption() })
  keep(`binder, ${preemptRt ? 'PREEMPT_RT' : 'normal kernel'}`, b.kernel)
  const node = b.newNode(b.server, 1)
  const strong = b.kernel.run((ctx) => {
    b.insertHandle(ctx, b.client, 1, node)
    b.updateRef(ctx, b.client, 1, true)
    b.updateRef(ctx, b.client, 1, true)
    return b.updateRef(ctx, b.client, 1, false)
  })
  // BINDER_FREEZE with a transaction outstanding: the CondVar sleep ends by its timeout (nothing else
  // runs in kernel.run()), so -EAGAIN; once the transaction is dropped (notify_all()), the freeze succeeds.
  b.kernel.run((ctx) => b.client.inner.withLocked(ctx, (_ctx, inner) => void inner.outstandingTxns++))
  const freeze = b.kernel.run((ctx) => {
    const busy = b.ioctlFreeze(ctx, b.client, 10)
    b.dropOutstandingTxn(ctx, b.client)
    return [busy, b.ioctlFreeze(ctx, b.client, 10)] as const
  })
  return { b, strong, freeze }
}

/** The seeded bugs, each with the compile error it gets and what the running kernel says when the types are bypassed. */
export const seededBugs = (preemptRt: boolean): { bug: string; compile: string; runtime: string }[] => {
  const out: { bug: string; compile: string; runtime: string }[] = []
  const reports = (k: { diagnostics: readonly Parameters<typeof describeDiagnostic>[0][] }) => k.diagnostics.map(describeDiagnostic).join('; ')

  // 1. A printk from the rx path: console write under port->lock.
  {
    const u = uart8250({ preemptRt })
    let thrown = ''
    try {
      u.kernel.run((ctx) => u.port.withLockedIrqSave(ctx, (ctx) => untyped(u.consoleWrite)(ctx, 'overrun')))
    } catch (error) {
      if (error instanceof DeadlockError) thrown = ' (DeadlockError thrown)'
    }
    out.push({
      bug: 'recursion through a helper: serial8250_console_write() under port->lock',
      compile: "possible recursive locking detected: spinlock_t 'port_lock_key' is already held",
      runtime: reports(u.kernel) + thrown,
    })
  }
  // 2. serial_core_register_port() (port_mutex) from a tty_port.mutex section.
  {
    const u = uart8250({ preemptRt })
    u.kernel.run((ctx) => u.tport.withLocked(ctx, (ctx) => untyped(u.registerPort)(ctx)))
    out.push({
      bug: 'order inversion through a helper: port_mutex taken under tty_port.mutex',
      compile: "lock order: 'port_mutex' is declared before 'tty_port.mutex', so it cannot be taken while 'tty_port.mutex' is held",
      runtime: reports(u.kernel),
    })
  }
  // 3. tty_port_close() (a mutex, then synchronize_irq()) inside an RCU read-side section.
  {
    const u = uart8250({ preemptRt })
    u.kernel.run((ctx) => ctx.rcuReadLock((ctx) => untyped(u.ttyPortClose)(ctx)))
    out.push({
      bug: 'sleeping through a helper: tty_port_close() under rcu_read_lock()',
      compile: "mutex 'tty_port.mutex' may sleep: BUG: sleeping function called from invalid context (in an RCU read-side section (rcu_read_lock()))",
      runtime: reports(u.kernel),
    })
  }
  // 4. A node's LockedBy field reached holding the wrong owner: another process's inner.
  {
    const b = binder({ preemptRt })
    const node = b.newNode(b.server, 1)
    let thrown = ''
    try {
      b.kernel.run((ctx) => b.client.inner.withLocked(ctx, (ctx) => untyped(b.updateRefcountLocked)(ctx, node, true)))
    } catch (error) {
      if (error instanceof LockedByError) thrown = `LockedByError: ${error.message}`
    }
    out.push({
      bug: "LockedBy with the wrong owner: the server's node under the client's Process::inner",
      compile: "LockedBy: this data is protected by spinlock_t 'Process::inner', which is not held here (holding node_refs instead)",
      runtime: thrown,
    })
  }
  // 5. serial8250_rx_chars() without port->lock.
  {
    const u = uart8250({ preemptRt })
    u.kernel.run((ctx) => u.port.withLocked(ctx, () => undefined))
    u.kernel.run((ctx) => untyped(u.rxChars)(ctx, { fifo: [], received: [], icount: { rx: 0, tx: 0 } }))
    out.push({
      bug: 'a helper that needs a lock held, called without it: serial8250_rx_chars()',
      compile: "lockdep_assert_held(port_lock_key): helper serial8250_rx_chars() must be called holding spinlock_t 'port_lock_key', and it is not held here",
      runtime: reports(u.kernel),
    })
  }
  return out
}

export function run(log: (line: string) => void = console.log): void {
  log('Kernel code is helpers: serial8250_handle_irq() calls serial8250_rx_chars() under port->lock,')
  log("binder's Process methods call Node methods that take another process's inner lock. Each helper")
  log('here declares what it does (takes, mustHold, needs, mightSleep, calls); its body may do only that,')
  log('and every call site is checked for it with the same rules as direct code.')
  for (const preemptRt of [false, true]) {
    const kernel = preemptRt ? 'PREEMPT_RT' : 'normal kernel'
    const u = uartLife(preemptRt)
    const up = u.kernel.run((ctx) => u.port.withLockedIrqSave(ctx, (_ctx, p) => p)) // irqsave: the lock is taken in hardirq context
    log(`  8250, ${kernel}: received ${up.received.length}, sent '${up.wire.join('')}', ${u.kernel.diagnostics.length} report(s)`)
    const { b, strong } = binderLife(preemptRt)
    log(`  binder, ${kernel}: node strong count ${strong}, ${b.kernel.diagnostics.length} report(s)`)
  }
  log('')
  log('Five bugs that hide in helpers. Each fails to compile; called as untyped JavaScript, the')
  log('running kernel reports it (normal kernel):')
  for (const s of seededBugs(false)) {
    log(`- ${s.bug}`)
    log(`    compile: ${s.compile}`)
    log(`    runtime: ${s.runtime}`)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) run()
