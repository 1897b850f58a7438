// The seeded bugs of examples/helpers.ts, written typed: each fails to compile with its rule.
import { expectError } from 'tsd'
import { binder } from '../examples/helpers-binder.js'
import { uart8250 } from '../examples/helpers-uart.js'
import { helper } from '../src/index.js'

const u = uart8250()
const b = binder()
const node = b.newNode(b.server, 1)

u.kernel.run((ctx) => {
  // The driver's normal paths compile.
  u.addOnePort(ctx)
  u.ttyPortOpen(ctx)
  u.uartWrite(ctx, 'hi')
  u.consoleWrite(ctx, '!')
  // console_sem as the kernel uses it: console_lock() may sleep, printk() may not.
  u.consoleLock(ctx)
  u.consoleUnlock(ctx)
  u.printk(ctx, 'hello')
  u.tport.withLocked(ctx, (ctx) => u.printk(ctx, 'under tty_port.mutex'))
  u.ttyPortClose(ctx)
  u.port.withLockedIrqSave(ctx, (ctx, up) => {
    u.rxChars(ctx, up)
    u.txChars(ctx, up)
    // 1. recursion through a helper: a console write from under port->lock
    // @expect-error possible recursive locking detected: spinlock_t 'port_lock_key' is already held
    expectError(u.consoleWrite(ctx, 'overrun'))
    // console_lock() sleeps (down(&console_sem)): not under port->lock.
    // @expect-error helper console_lock() may sleep: BUG: sleeping function called from invalid context (spinlock_t 'port_lock_key' is held)
    expectError(u.consoleLock(ctx))
  })
  u.tport.withLocked(ctx, (ctx) => {
    // 2. order inversion through a helper
    // @expect-error lock order: 'port_mutex' is declared before 'tty_port.mutex', so it cannot be taken while 'tty_port.mutex' is held
    expectError(u.registerPort(ctx))
  })
  ctx.rcuReadLock((ctx) => {
    // 3. sleeping through a helper
    // @expect-error mutex 'tty_port.mutex' may sleep: BUG: sleeping function called from invalid context (in an RCU read-side section (rcu_read_lock()))
    expectError(u.ttyPortClose(ctx))
  })
  // 5. a helper that needs a lock held, called without it
  // @expect-error lockdep_assert_held(port_lock_key): helper serial8250_rx_chars() must be called holding spinlock_t 'port_lock_key', and it is not held here
  expectError(u.rxChars(ctx, { ier: 0, fifo: [], received: [], xmit: [], wire: [], msr: 0, icount: { rx: 0, tx: 0 } }))
})
u.requestIrq(4)
u.kernel.requestIrq(5, 'ttyS1', (ctx) => {
  // printk() from a (threadable) handler: console_trylock(), never console_lock().
  u.printk(ctx, 'rx overrun')
  // @expect-error helper console_lock() may sleep
  expectError(u.consoleLock(ctx))
})

b.kernel.run((ctx) => {
  // BINDER_FREEZE: the CondVar sleeps with Process::inner given up; not from under another spinlock.
  b.ioctlFreeze(ctx, b.client, 10)
  b.dropOutstandingTxn(ctx, b.client)
  b.client.inner.withLocked(ctx, (ctx) => {
    // @expect-error helper Process::ioctl_freeze() may sleep: BUG: sleeping function called from invalid context (spinlock_t 'Process::inner' is held)
    expectError(b.ioctlFreeze(ctx, b.server, 10))
  })
  b.insertHandle(ctx, b.client, 1, node)
  b.updateRef(ctx, b.client, 1, true)
  b.server.inner.withLocked(ctx, (ctx) => {
    b.updateRefcountLocked(ctx, node, true)
    // binder takes node_refs before inner: not the other way round (and the mutex would sleep).
    // @expect-error mutex 'Process::node_refs' may sleep
    expectError(b.updateRef(ctx, b.client, 1, true))
  })
  b.server.nodeRefs.withLocked(ctx, (ctx) => {
    // 4. LockedBy with the wrong owner: the node's data is Process::inner's, not node_refs'
    // @expect-error LockedBy: this data is protected by spinlock_t 'Process::inner', which is not held here
    expectError(node.inner.access(ctx))
    // @expect-error lockdep_assert_held(Process::inner): helper Node::update_refcount_locked() must be called holding spinlock_t 'Process::inner'
    expectError(b.updateRefcountLocked(ctx, node, true))
  })
})

// A helper that reaches the LockedBy field must declare the owner it is shown.
helper({ name: 'Node::peek', takes: [] }, (ctx) => {
  // @expect-error LockedBy: this data is protected by spinlock_t 'Process::inner', which is not held here
  expectError(node.inner.access(ctx))
})
