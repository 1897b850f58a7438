/**
 * `lockproof explore` and `--replay lp1:…`, run as a subprocess on small fixture models: #998
 * (found, exit 1, its files written and read back) and its counted twin (exit 0), ABBA without
 * lockdep as JSON, the printed replay string re-run by both commands, a replay string of another
 * model refused by name, progress on stderr.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { checkTraceEventFormat } from '../export/trace-event-format.js'
import { fixture, lockproof } from './bin.js'

// Each test starts node with tsx's loader: seconds apiece on a loaded machine.
vi.setConfig({ testTimeout: 60_000 })

let out: string
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'lockproof-explore-'))
})
afterAll(async () => {
  await rm(out, { recursive: true, force: true })
})

// The handler spins with interrupts off after lockdep's report turned debug_locks off: spin_bug() is silent.
const RECURSION = 'watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 0'
const FILES = ['trace.json', 'trace.txt', 'lockgraph.dot', 'lockgraph.svg', 'proc/lockdep', 'proc/lockdep_chains', 'proc/lockdep_stats']

/** The replay string printed under the counterexample titled `title`. */
const replayOf = (stdout: string, title: string): string => {
  const block = stdout.slice(stdout.indexOf(`: ${title}\n`))
  const m = /\nreplay: (lp1:\S+)\n/.exec(block)
  if (m === null) throw new Error(`no replay string after '${title}' in:\n${stdout}`)
  return m[1] as string
}

describe('lockproof explore <model>: Rust-for-Linux #998', () => {
  let found: Awaited<ReturnType<typeof lockproof>>
  beforeAll(async () => {
    found = await lockproof(['explore', fixture('rfl998.model.ts'), '--keep-going', '--out', join(out, '998')])
  })

  it('save/restore guards: exit 1; each kernel, the difference, the deadlock with its table and replay string', () => {
    expect(found.code).toBe(1)
    const lines = found.stdout.split('\n')
    expect(lines[0]).toMatch(
      /^the normal kernel: \d+ executions in [\d,]+ ms, bounded space exhausted: 4 counterexamples \(.*; reports 'WARNING: inconsistent lock state'; deadlock\)$/,
    )
    expect(lines[1]).toMatch(/^PREEMPT_RT: \d+ executions in [\d,]+ ms, bounded space exhausted: no counterexample$/)
    expect(lines).toContain('deadlocks only on the normal kernel')
    expect(lines).toContain(`deadlock on the normal kernel: ${RECURSION}`)
    expect(lines).toContain('found at execution 2; shown with 0 preemptions and 1 interrupt arrival')
    expect(found.stdout).toMatch(/\n\| seq \| CPU 0 +\|\n/)
    // The handler arrives on the task while it still holds irq2 (preempt_count 1), with interrupts back on.
    expect(found.stdout).toContain('| driver: irq_handler_entry 5 dev  [pc=0x10001 irqs off]')
    expect(found.stdout).toContain(`| driver: ${RECURSION}  [pc=0x10002 irqs off]`)
    const replay = replayOf(found.stdout, RECURSION)
    expect(replay).toMatch(/^lp1:normal:[0-9a-z]+:[0-9.*]+$/)
    expect(found.stdout).toContain(`\n  lockproof explore ${fixture('rfl998.model.ts')} --replay '${replay}'\n`)
    expect(lines.at(-2)).toBe(`lockproof explore ${fixture('rfl998.model.ts')}: 4 counterexamples (4 on the normal kernel, none on PREEMPT_RT)`)
    expect(found.stderr).toBe('')
  })

  it("writes the deadlock's execution into <out>/normal-<n>/: a Perfetto trace that parses, ftrace text, the graph laid out by Graphviz, lockdep's files", async () => {
    const block = found.stdout.slice(found.stdout.indexOf(`: ${RECURSION}\n`))
    const dir = /\nwrote (.*)\/trace\.json\n/.exec(block)?.[1] as string
    expect(dir).toMatch(/\/998\/normal-\d$/)
    for (const f of FILES) expect(block).toContain(`wrote ${join(dir, f)}\n`)
    const json = await readFile(join(dir, 'trace.json'), 'utf8')
    expect(checkTraceEventFormat(json)).toEqual([])
    const events: { name: string; cat?: string }[] = JSON.parse(json).traceEvents
    expect(events.some((e) => e.cat === 'diagnostic' && e.name === RECURSION)).toBe(true)
    const ftrace = await readFile(join(dir, 'trace.txt'), 'utf8')
    expect(ftrace.split('\n')[0]).toBe('# tracer: nop')
    expect(ftrace).toContain('irq_handler_entry: irq=5 name=dev')
    expect(await readFile(join(dir, 'lockgraph.dot'), 'utf8')).toMatch(/^digraph /)
    expect(await readFile(join(dir, 'lockgraph.svg'), 'utf8')).toContain('<title>irq2</title>')
    expect(await readFile(join(dir, 'proc/lockdep'), 'utf8')).toContain('irq2')
    expect(await readFile(join(dir, 'proc/lockdep_stats'), 'utf8')).toContain('lock-classes:')
  })

  it('--replay of the printed string: explore and run re-run that execution (the same title), exit 1', async () => {
    const replay = replayOf(found.stdout, RECURSION)
    const again = await lockproof(['explore', fixture('rfl998.model.ts'), '--replay', replay, '--out', join(out, 'replay')])
    expect(again.code).toBe(1)
    expect(again.stdout.split('\n')[0]).toMatch(/^the normal kernel: 1 execution in [\d,]+ ms, replayed: \d counterexamples? \(.*deadlock.*\)$/)
    expect(again.stdout).toContain(`\ndeadlock on the normal kernel: ${RECURSION}\n`)
    expect(replayOf(again.stdout, RECURSION)).toBe(replay)
    expect(again.stdout).toContain(`wrote ${join(out, 'replay', 'trace.txt')}\n`)
    expect(await readFile(join(out, 'replay', 'trace.txt'), 'utf8')).toContain('irq_handler_entry: irq=5 name=dev')

    const run = await lockproof(['run', fixture('rfl998.model.ts'), '--replay', replay])
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(`${RECURSION}\n`)
    expect(run.stdout).toMatch(
      /\nlockproof run \S+ \(normal kernel, 1 CPU\): \d diagnostics?, the execution ended in deadlock\nschedule: [\d,]+ \(--replay it\)\n$/,
    )
  })

  it('a replay string recorded on another model (its fingerprint) is refused by name: exit 2', async () => {
    const replay = replayOf(found.stdout, RECURSION)
    const other = replay.replace(/^lp1:normal:[0-9a-z]+:/, 'lp1:normal:zzzzz:')
    const r = await lockproof(['explore', fixture('rfl998.model.ts'), '--replay', other])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      /^lockproof: \S+rfl998\.model\.ts: ReplayError: the replay string was recorded on another model \(declarations fingerprint zzzzz, this model's is [0-9a-z]+\)\n$/,
    )
    expect(r.stdout).toBe('')
  })

  it("counted interrupt disabling (#998's valid twin): both bounded spaces exhausted, nothing found, exit 0", async () => {
    const r = await lockproof(['explore', fixture('rfl998-counted.model.ts')])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /^the normal kernel: \d+ executions in [\d,]+ ms, bounded space exhausted: no counterexample\nPREEMPT_RT: \d+ executions in [\d,]+ ms, bounded space exhausted: no counterexample\nlockproof explore \S+: no counterexample, bounded space exhausted\n$/,
    )
  })
})

describe('lockproof explore --json, progress, models it cannot explore', () => {
  it('ABBA without lockdep, --json: one object; the deadlock with its replay command (which keeps --no-lockdep)', async () => {
    const r = await lockproof(['explore', fixture('abba.model.ts'), '--no-lockdep', '--kernels', 'normal', '--json'])
    expect(r.code).toBe(1)
    const j = JSON.parse(r.stdout)
    expect([j.command, j.ok, j.exitStatus, j.kernels.length, j.kernels[0].kernel]).toEqual(['explore', false, 1, 1, 'normal'])
    const [c] = j.counterexamples
    expect([c.kind, c.title, c.preemptions]).toEqual(['deadlock', 'INFO: task one:1 blocked for more than 120 seconds.', 0])
    expect(c.report).toContain("one:1 on CPU 0 waits on mutex 'b'; two:2 on CPU 1 waits on mutex 'a'")
    expect(c.replayCommand).toBe(`lockproof explore ${fixture('abba.model.ts')} --no-lockdep --replay '${c.replay}'`)
  })

  it('progress on stderr, plain lines off a terminal: executions, executions/s, the done share; a budget that runs out is said', async () => {
    const r = await lockproof([
      'explore',
      fixture('busy.model.ts'),
      '--kernels',
      'normal',
      '--reduction',
      'none',
      '--preemption-bound',
      'none',
      '--max-time',
      '1100',
    ])
    expect(r.code).toBe(0)
    const lines = r.stderr.split('\n').filter((l) => l !== '')
    expect(lines.length).toBeGreaterThanOrEqual(1)
    for (const l of lines) expect(l).toMatch(/^explore: the normal kernel: [\d,]+ executions, [\d,]+\/s, \d+(\.\d\d?)?% of the bounded space done$/)
    expect(r.stdout).toMatch(/bounded space not exhausted \(the budget ran out\): no counterexample\n/)
    expect(r.stdout).toContain(': no counterexample, bounded space not exhausted on the normal kernel\n')
  })

  it('a function of a kernel is refused: explore takes a defineModel() model (exit 2)', async () => {
    const r = await lockproof(['explore', fixture('clean.model.mjs')])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('clean.model.mjs is a function of a kernel: explore takes a model from defineModel()')
  })
})
