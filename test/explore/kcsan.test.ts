/** The watchpoint logic and KCSAN's report shape (kernel/kcsan/report.c print_report()). */
import { describe, expect, it } from 'vitest'
import { type AccessSite, RaceDetector } from '../../src/exec/explore/kcsan.js'

const task = (pid: number, cpu: number, fn: string): AccessSite => ({ pid, cpu, fn, comm: fn, currentPid: pid, context: pid })
const irq = (cpu: number, fn: string, interrupted: AccessSite): AccessSite => ({
  pid: -1,
  cpu,
  fn,
  comm: interrupted.comm,
  currentPid: interrupted.pid,
  context: 1000,
})

describe('RaceDetector', () => {
  it('a write in flight while another context reads: the report names both accesses, sorted functions in the title', () => {
    const d = new RaceDetector()
    const w = d.begin('counter', true, false, task(2, 1, 'writer'))
    d.begin('counter', false, false, task(3, 0, 'reader'))
    d.end(w)
    expect(d.failures().map((f) => f.report)).toEqual([
      [
        '==================================================================',
        'BUG: KCSAN: data-race in reader / writer',
        '',
        // the access that hit the watchpoint (other_info) first, then the watcher's own, whose CPU the footer names
        "read to 'counter' of 8 bytes by task 3 on cpu 0:",
        ' reader',
        '',
        "write to 'counter' of 8 bytes by task 2 on cpu 1:",
        ' writer',
        '',
        'Reported by Kernel Concurrency Sanitizer on:',
        'CPU: 1 UID: 0 PID: 2 Comm: writer',
        '==================================================================',
      ].join('\n'),
    ])
  })

  it('task and interrupt on one CPU: "by interrupt on cpu 0"', () => {
    const d = new RaceDetector()
    const t = task(1, 0, 'poller')
    d.begin('stat', false, false, t)
    d.begin('stat', true, false, irq(0, 'eth_irq', t))
    expect(d.failures().map((f) => f.report.split('\n')[3])).toEqual(["write to 'stat' of 8 bytes by interrupt on cpu 0:"])
    expect(d.failures().map((f) => f.title)).toEqual(['BUG: KCSAN: data-race in eth_irq / poller'])
  })

  it('no race: two reads, two marked accesses, accesses that do not overlap, one context, other cells', () => {
    const d = new RaceDetector()
    d.begin('x', false, false, task(1, 0, 'a'))
    d.begin('x', false, false, task(2, 1, 'b'))
    d.begin('y', true, true, task(1, 0, 'a'))
    d.begin('y', true, true, task(2, 1, 'b'))
    const z = d.begin('z', true, false, task(1, 0, 'a'))
    d.end(z)
    d.begin('z', true, false, task(2, 1, 'b'))
    d.begin('w', true, false, task(1, 0, 'a'))
    d.begin('w', true, false, task(1, 0, 'a'))
    expect(d.failures()).toEqual([])
  })

  it('a marked write against a plain read is still a race (only two marked accesses never race)', () => {
    const d = new RaceDetector()
    d.begin('flag', true, true, task(1, 0, 'setter'))
    d.begin('flag', false, false, task(2, 1, 'getter'))
    // a marked access never sets a watchpoint (Documentation/dev-tools/kcsan.rst): the plain read is the watcher, printed second
    expect(d.failures().map((f) => f.report.split('\n')[3])).toEqual(["write (marked) to 'flag' of 8 bytes by task 1 on cpu 0:"])
    expect(d.failures().map((f) => f.report.split('\n').at(-2))).toEqual(['CPU: 1 UID: 0 PID: 2 Comm: getter'])
  })
})
