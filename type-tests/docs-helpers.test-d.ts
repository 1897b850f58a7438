// docs/helpers.md, its first program, kept compiling: if this file breaks, the page is out of date.
import { createKernel, helper, takes } from '../src/index.js'

const kernel = createKernel({ lockOrder: ['tty_port.mutex', 'port_lock_key'] })
const tport = kernel.mutex('tty_port.mutex', { count: 0 })
const port = kernel.spinLock('port_lock_key', { ier: 0, rx: [] as number[] })

// Takes port->lock with irqsave.
const consoleWrite = helper({ name: 'serial8250_console_write', takes: [takes(port, 'irqsave')] }, (ctx, s: string) =>
  port.withLockedIrqSave(ctx, (_ctx, p) => p.rx.push(s.length)),
)
// Must be called holding port->lock (sparse's __must_hold(), lockdep_assert_held()).
const rxChars = helper({ name: 'serial8250_rx_chars', mustHold: [port] }, (_ctx, p: { rx: number[] }) => p.rx.length)
// Called with tty_port.mutex held; takes port->lock; may sleep.
const startup = helper({ name: 'serial8250_do_startup', mustHold: [tport], takes: [takes(port, 'irqsave')], mightSleep: true }, (ctx) =>
  port.withLockedIrqSave(ctx, (_ctx, p) => {
    p.ier = 5
  }),
)
// Takes tty_port.mutex and calls startup: its takes and mightSleep become this helper's.
const open = helper({ name: 'tty_port_open', takes: [takes(tport)], calls: [startup] }, (ctx) => tport.withLocked(ctx, (ctx) => startup(ctx)))

void consoleWrite
void rxChars
void open
