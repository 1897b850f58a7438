/**
 * The 8250 UART's locking, written with helpers as drivers/tty/serial/8250/8250_port.c writes it
 * (stored commit 0238d2b4; 8250.h for the THRI helpers; serial_core.c for the mutexes):
 *   serial8250_interrupt → serial8250_handle_irq: spin_lock_irqsave(&port->lock) →
 *     serial8250_rx_chars / serial8250_modem_status ("Caller holds uart port lock") /
 *     serial8250_tx_chars → __stop_tx → serial8250_clear_THRI (lockdep_assert_held_once)
 *   serial8250_console_write: port->lock with irqsave (a guard here), serial8250_clear_IER
 *   tty_port_open → serial8250_do_startup, tty_port_close → serial8250_do_shutdown: under
 *     tty_port.mutex; they take port->lock with irqsave; shutdown's synchronize_irq() sleeps
 *   uart_add_one_port: mutex_lock(&port_mutex); mutex_lock(&port->mutex)
 *   the console (kernel/printk/printk.c): `static DEFINE_SEMAPHORE(console_sem, 1);` and its lockdep
 *     map "console_lock": console_lock() = might_sleep(); down(&console_sem); mutex_acquire(map);
 *     console_trylock() = down_trylock(&console_sem) (0: taken), mutex_acquire(map, trylock = 1);
 *     console_unlock() flushes the log to the consoles (con->write = serial8250_console_write),
 *     then mutex_release(map); up(&console_sem). printk() tries the lock and flushes if it got it.
 * (printk's nbcon consoles and the printk_safe sections are not modelled here.)
 */
import { createKernel, helper, type KernelOptions, lockdepAssertHeldOnce, takes } from '../src/index.js'

export const UART_IER_RDI = 0x01
export const UART_IER_THRI = 0x02
export const UART_IER_RLSI = 0x04

/** What port->lock protects, in this model. */
export interface UartPort {
  ier: number
  /** Characters waiting in the receive FIFO. */
  fifo: number[]
  /** The tty flip buffer. */
  received: number[]
  /** The circular transmit buffer. */
  xmit: string[]
  /** What went out on the wire. */
  wire: string[]
  msr: number
  icount: { rx: number; tx: number }
}

/** serial_core's order: port_mutex → tty_port.mutex → port->lock (lockdep class port_lock_key). */
export const UART_ORDER = ['port_mutex', 'tty_port.mutex', 'port_lock_key'] as const

export const uart8250 = (options: Omit<KernelOptions, 'lockOrder'> = {}) => {
  const kernel = createKernel({ ...options, lockOrder: UART_ORDER })
  const portMutex = kernel.mutex('port_mutex', { ports: 0 })
  const tport = kernel.mutex('tty_port.mutex', { count: 0 })
  const port = kernel.spinLock('port_lock_key', { ier: 0, fifo: [], received: [], xmit: [], wire: [], msr: 0, icount: { rx: 0, tx: 0 } } as UartPort)
  // printk.c: a counting semaphore (one unit), no owner; lockdep sees it through console_lock_dep_map.
  const consoleSem = kernel.semaphore('console_sem', 1)
  const consoleLockMap = kernel.lockMap('console_lock')
  /** The printk ring buffer: records not yet written to the console. */
  const logBuf: string[] = []

  // 8250.h: "Port locked to synchronize UART_IER access against the console."
  const clearThri = helper({ name: 'serial8250_clear_THRI', mustHold: [port] }, (ctx, up: UartPort) => {
    lockdepAssertHeldOnce(ctx, port, 'serial8250_clear_THRI')
    if (!(up.ier & UART_IER_THRI)) return false
    up.ier &= ~UART_IER_THRI
    return true
  })
  const setThri = helper({ name: 'serial8250_set_THRI', mustHold: [port] }, (ctx, up: UartPort) => {
    lockdepAssertHeldOnce(ctx, port, 'serial8250_set_THRI')
    if (up.ier & UART_IER_THRI) return false
    up.ier |= UART_IER_THRI
    return true
  })
  const clearIer = helper({ name: 'serial8250_clear_IER', mustHold: [port] }, (ctx, up: UartPort) => {
    lockdepAssertHeldOnce(ctx, port, 'serial8250_clear_IER')
    up.ier = 0
  })
  const rxChars = helper({ name: 'serial8250_rx_chars', mustHold: [port] }, (_ctx, up: UartPort) => {
    for (let max = 256; up.fifo.length > 0 && max > 0; max--) {
      up.received.push(up.fifo.shift() as number)
      up.icount.rx++
    }
  })
  const modemStatus = helper({ name: 'serial8250_modem_status', mustHold: [port] }, (_ctx, up: UartPort) => up.msr)
  const txChars = helper({ name: 'serial8250_tx_chars', mustHold: [port] }, (ctx, up: UartPort) => {
    for (let count = 16; up.xmit.length > 0 && count > 0; count--) {
      up.wire.push(up.xmit.shift() as string)
      up.icount.tx++
    }
    if (up.xmit.length === 0) clearThri(ctx, up) // __stop_tx()
  })

  /** serial8250_handle_irq(): the port lock with irqsave around rx, modem status and tx. */
  const handleIrq = helper({ name: 'serial8250_handle_irq', takes: [takes(port, 'irqsave')] }, (ctx) =>
    port.withLockedIrqSave(ctx, (ctx, up) => {
      if (up.fifo.length > 0) rxChars(ctx, up)
      modemStatus(ctx, up)
      if (up.ier & UART_IER_THRI) txChars(ctx, up)
      return 1
    }),
  )
  /** uart_write() → start_tx: queue the bytes, enable the THRE interrupt. */
  const uartWrite = helper({ name: 'uart_write', takes: [takes(port, 'irqsave')] }, (ctx, s: string) =>
    port.withLockedIrqSave(ctx, (ctx, up) => {
      up.xmit.push(...s)
      setThri(ctx, up)
    }),
  )
  /** serial8250_console_write(): the guard form; IER saved, cleared, restored. */
  const consoleWrite = helper({ name: 'serial8250_console_write', takes: [takes(port, 'irqsave')] }, (ctx, s: string) => {
    using g = port.lockIrqSave(ctx)
    const ier = g.data.ier
    clearIer(g.ctx, g.data)
    g.data.wire.push(...s)
    g.data.ier = ier
  })
  /** console_lock(): `might_sleep(); down_console_sem();` — down(&console_sem), then the lockdep map. */
  const consoleLock = helper({ name: 'console_lock', mightSleep: true }, (ctx) => {
    consoleSem.down(ctx)
    consoleLockMap.acquire(ctx)
  })
  /** console_unlock(): flush the log to the console (serial8250_console_write), then `up_console_sem()`. */
  const consoleUnlock = helper({ name: 'console_unlock', takes: [takes(port, 'irqsave')], calls: [consoleWrite] }, (ctx) => {
    while (logBuf.length > 0) consoleWrite(ctx, logBuf.shift() as string)
    consoleLockMap.release(ctx)
    consoleSem.up(ctx)
  })
  /** printk(): store the record; console_trylock() (down_trylock() returns 0 when taken) and flush, or leave it to the holder. */
  const printk = helper({ name: 'printk', takes: [takes(port, 'irqsave')], calls: [consoleUnlock] }, (ctx, s: string) => {
    logBuf.push(s)
    if (consoleSem.downTrylock(ctx) !== 0) return false
    consoleLockMap.acquireTry(ctx)
    consoleUnlock(ctx)
    return true
  })
  /** serial8250_do_startup(): called with tty_port.mutex held; may sleep (request_irq()). */
  const startup = helper({ name: 'serial8250_do_startup', mustHold: [tport], takes: [takes(port, 'irqsave')], mightSleep: true }, (ctx) =>
    port.withLockedIrqSave(ctx, (_ctx, up) => {
      up.ier = UART_IER_RLSI | UART_IER_RDI
    }),
  )
  /** serial8250_do_shutdown(): IER off under the port lock, then synchronize_irq(), which sleeps. */
  const shutdown = helper({ name: 'serial8250_do_shutdown', mustHold: [tport], takes: [takes(port, 'irqsave')], mightSleep: true }, (ctx) => {
    port.withLockedIrqSave(ctx, (_ctx, up) => {
      up.ier = 0
    })
    ctx.mightSleep() // synchronize_irq()
  })
  const ttyPortOpen = helper({ name: 'tty_port_open', takes: [takes(tport)], calls: [startup] }, (ctx) =>
    tport.withLocked(ctx, (ctx, t) => {
      if (t.count++ === 0) startup(ctx)
    }),
  )
  const ttyPortClose = helper({ name: 'tty_port_close', takes: [takes(tport)], calls: [shutdown] }, (ctx) =>
    tport.withLocked(ctx, (ctx, t) => {
      if (--t.count === 0) shutdown(ctx)
    }),
  )
  const addOnePort = helper({ name: 'uart_add_one_port', takes: [takes(portMutex), takes(tport)] }, (ctx) =>
    portMutex.withLocked(ctx, (ctx, p) =>
      tport.withLocked(ctx, () => {
        p.ports++
      }),
    ),
  )
  /** serial_core_register_port(): mutex_lock(&port_mutex) around the controller and port devices. */
  const registerPort = helper({ name: 'serial_core_register_port', takes: [takes(portMutex)] }, (ctx) =>
    portMutex.withLocked(ctx, (_ctx, p) => {
      p.ports++
    }),
  )
  /** serial8250_interrupt(): the handler of the port's line; a threadable one (a thread on RT). */
  const requestIrq = (line: number): void => kernel.requestIrq(line, 'ttyS0', (ctx) => void handleIrq(ctx))

  return {
    kernel,
    portMutex,
    tport,
    port,
    clearThri,
    setThri,
    rxChars,
    txChars,
    modemStatus,
    handleIrq,
    uartWrite,
    consoleWrite,
    consoleSem,
    consoleLock,
    consoleUnlock,
    printk,
    logBuf,
    startup,
    shutdown,
    ttyPortOpen,
    ttyPortClose,
    addOnePort,
    registerPort,
    requestIrq,
  }
}
