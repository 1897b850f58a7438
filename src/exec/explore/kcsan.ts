/**
 * Data races, the way KCSAN finds them (kernel/kcsan/): an access sets up a watchpoint and
 * lingers; a conflicting access from another context while it lingers is a data race. Here a
 * cell access is two scheduling points — announce, then perform — and the access is "in flight"
 * between them, so the explorer's reordering of those points (they touch the cell, so they are
 * dependent: ./dependence.ts) is what brings two accesses into flight together, on two CPUs or
 * as a task and the interrupt handler that arrived on its CPU while the access was in flight.
 * A lock taken around both accesses keeps them apart (the other waits for the lock), so no
 * happens-before bookkeeping is needed: a race is reported only when it really overlaps.
 *
 * Conflict (kernel/kcsan/core.c, report.c): same object, at least one write, not both marked
 * (READ_ONCE/WRITE_ONCE are marked; two marked accesses never race).
 */
import type { Failure } from './execution.js'

/** Where an access is made: the context as KCSAN's report prints it. */
export interface AccessSite {
  /** The task's pid, or -1 in interrupt context (kernel/kcsan/report.c: get_thread_desc()). */
  readonly pid: number
  readonly cpu: number
  /** The function the report names: the task's or handler's name. */
  readonly fn: string
  /** The running task, for the footer (lib/dump_stack.c dump_stack_print_info(): "CPU: n UID: u PID: p Comm: c"). */
  readonly comm: string
  readonly currentPid: number
  /** One execution context: a task, or a handler invocation (distinct even on one CPU). */
  readonly context: number
}

/** An access in flight: what it touches (a cell's name, a watched location), how, and from where. */
export interface InFlight {
  readonly cell: string
  readonly write: boolean
  readonly marked: boolean
  readonly site: AccessSite
  /** CONFIG_KCSAN_VERBOSE's lines after the stack (print_verbose_info(): the held locks), if any. */
  readonly verbose?: readonly string[]
}

/** kernel/kcsan/report.c get_access_type(): "read", "write", "read (marked)", "write (marked)". */
const accessType = (a: InFlight): string => `${a.write ? 'write' : 'read'}${a.marked ? ' (marked)' : ''}`
const threadDesc = (s: AccessSite): string => (s.pid === -1 ? 'interrupt' : `task ${s.pid}`)

/**
 * The report in KCSAN's shape (print_report()); the cell's name stands where the kernel prints the
 * address. `other` was in flight (KCSAN's watcher: kcsan_setup_watchpoint() set the watchpoint and
 * delays), `self` hit it (kcsan_found_watchpoint() → kcsan_report_set_info(), the producer of
 * `other_info`). The watcher prints (kcsan_report_known_origin()): `other_info`'s access first,
 * then its own (`ai`), and the footer is the watcher's CPU and current task.
 */
export const kcsanReport = (inFlight: InFlight, hit: InFlight): { title: string; report: string } => {
  // KCSAN "never sets up a watchpoint on marked accesses" (Documentation/dev-tools/kcsan.rst): a
  // marked access only checks, so against a plain one the plain one is the watcher.
  const [other, self] = inFlight.marked && !hit.marked ? [hit, inFlight] : [inFlight, hit]
  const [a, b] = other.site.fn < self.site.fn ? [other.site.fn, self.site.fn] : [self.site.fn, other.site.fn]
  const title = `BUG: KCSAN: data-race in ${a} / ${b}`
  const line = (x: InFlight): string => `${accessType(x)} to '${x.cell}' of 8 bytes by ${threadDesc(x.site)} on cpu ${x.site.cpu}:`
  const verbose = (x: InFlight): string[] => (x.verbose === undefined ? [] : ['', ...x.verbose])
  const report = [
    '==================================================================',
    title,
    '',
    line(self),
    ` ${self.site.fn}`,
    ...verbose(self),
    '',
    line(other),
    ` ${other.site.fn}`,
    ...verbose(other),
    '',
    'Reported by Kernel Concurrency Sanitizer on:',
    `CPU: ${other.site.cpu} UID: 0 PID: ${other.site.currentPid} Comm: ${other.site.comm}`,
    '==================================================================',
  ].join('\n')
  return { title, report }
}

/** One execution's watchpoints and the races they caught. */
export class RaceDetector {
  readonly #inFlight: InFlight[] = []
  readonly #failures: Failure[] = []
  /** Made on the first report (most executions have none). */
  #seen: Set<string> | null = null

  /** An access begins (its watchpoint is set); a conflicting one already in flight is a race. */
  begin(cell: string, write: boolean, marked: boolean, site: AccessSite): InFlight {
    const self: InFlight = { cell, write, marked, site }
    for (const other of this.#inFlight) {
      if (other.cell !== cell || other.site.context === site.context) continue
      if (!(other.write || write) || (other.marked && marked)) continue
      this.report(other, self)
    }
    this.#inFlight.push(self)
    return self
  }

  /** `self` began while `other` was in flight: reported once per `subject` (the cell; a watched root) and title. */
  report(other: InFlight, self: InFlight, subject = self.cell): void {
    const { title, report } = kcsanReport(other, self)
    const key = `data-race:${subject}:${title}`
    this.#seen ??= new Set()
    if (this.#seen.has(key)) return
    this.#seen.add(key)
    this.#failures.push({ kind: 'data-race', key, title, report })
  }

  /** The access is done (its watchpoint is removed). */
  end(access: InFlight): void {
    const i = this.#inFlight.indexOf(access)
    if (i !== -1) this.#inFlight.splice(i, 1)
  }

  failures(): readonly Failure[] {
    return this.#failures
  }
}
