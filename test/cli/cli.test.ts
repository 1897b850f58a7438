/**
 * The `lockproof` command line, run as a subprocess (node with tsx's loader on src/cli/bin.ts)
 * on fixture models: its help, its exit status, and every file it writes.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createKernel } from '../../src/index.js'
import { checkTraceEventFormat } from '../export/trace-event-format.js'
import { describeOption } from '../../src/cli/help.js'
import { COMMANDS, flagOf, OPTIONS } from '../../src/cli/options.js'
import { fixture, lockproof, root } from './bin.js'
import model, { options } from './fixtures/irq-inversion.model.js'

// Each test starts node with tsx's loader: seconds apiece on a loaded machine.
vi.setConfig({ testTimeout: 60_000 })

let out: string
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'lockproof-cli-'))
})
afterAll(async () => {
  await rm(out, { recursive: true, force: true })
})

describe('lockproof --help, --version, usage errors', () => {
  it('--help: usage line, both commands, examples, the exit statuses; each command its own options with their defaults', async () => {
    const r = await lockproof(['--help'])
    expect(r.code).toBe(0)
    expect(r.stdout.split('\n')[0]).toBe('Usage: lockproof <command> [options] <model>')
    expect(r.stdout).toMatch(/\n {2}run <model> +Run the model once/)
    expect(r.stdout).toMatch(/\n {2}explore <model> +Explore every interleaving/)
    expect(r.stdout).toContain('Examples:\n  lockproof run model.ts --out pictures/\n  lockproof explore model.ts\n')
    expect(r.stdout).toContain("Run 'lockproof <command> --help' (or 'lockproof help <command>') for a command's options.")
    expect(r.stdout).toMatch(
      /Exit status:\n {2}0 {2}nothing was found\n {2}1 {2}a diagnostic, a deadlock, a data race or another counterexample was found\n {2}2 {2}a usage error/,
    )
    expect((await lockproof(['-h'])).stdout).toBe(r.stdout)
    for (const command of COMMANDS) {
      const h = await lockproof([command, '--help'])
      expect(h.code).toBe(0)
      expect(h.stdout.split('\n')[0]).toBe(`Usage: lockproof ${command} [options] <model>`)
      const lines = h.stdout.split('\n')
      for (const o of OPTIONS) {
        const at = lines.findIndex((l) => l.startsWith(`  ${flagOf(o)} `))
        if (!o.commands.includes(command)) {
          expect(at).toBe(-1)
          continue
        }
        // The option's line and its wrapped continuation lines (indented past the flags), at most 100 columns each.
        const end = lines.findIndex((l, i) => i > at && !/^ {6,}\S/.test(l))
        const block = lines.slice(at, end)
        for (const l of block) expect(l.length).toBeLessThanOrEqual(100)
        expect(
          block
            .map((l) => l.trim())
            .join(' ')
            .replace(/ +/g, ' '),
        ).toBe(`${flagOf(o)} ${describeOption(o)}`.replace(/ +/g, ' '))
      }
      expect(h.stdout).toContain(`Examples:\n  lockproof ${command} model.ts`)
    }
  })

  it("--version prints package.json's version", async () => {
    const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'))
    const r = await lockproof(['--version'])
    expect([r.code, r.stdout]).toEqual([0, `${version}\n`])
  })

  it.each([
    [['--frob'], "Unknown option '--frob'", ''],
    [['explain', 'x.ts'], "unknown command 'explain' (commands: run, explore)", ''],
    [['run', 'a.ts', '--cpus', '0'], "--cpus: a whole number ≥ 1, not '0'", 'run '],
    [['explore', 'a.ts', '--strategy', 'bfs'], "--strategy: one of dfs, random, pct, not 'bfs'", 'explore '],
    [['explore', 'a.ts', '--perfetto', 'x.json'], "explore: --perfetto is not one of its options (it is run's; see 'lockproof explore --help')", 'explore '],
  ])('%j is a usage error (exit 2): %s', async (args, message, command) => {
    const r = await lockproof(args)
    expect(r.code).toBe(2)
    expect(r.stderr.startsWith(`lockproof: ${message}`)).toBe(true)
    expect(r.stderr.endsWith(`\nTry 'lockproof ${command}--help'.\n`)).toBe(true)
    expect(r.stdout).toBe('')
  })
})

describe('lockproof run <model>', () => {
  it('a model with reports: prints each report and a summary, writes every output, exits 1', async () => {
    const r = await lockproof([
      'run',
      fixture('irq-inversion.model.ts'),
      '--perfetto',
      join(out, 'trace.json'),
      '--ftrace',
      join(out, 'trace.txt'),
      '--dot',
      join(out, 'graph.dot'),
      '--svg',
      join(out, 'graph.svg'),
      '--proc',
      join(out, 'proc'),
    ])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(1)
    // The same model in this process, with the same options, is the reference.
    const k = createKernel({ ...options, trace: true })
    model(k)
    for (const d of k.diagnostics) expect(r.stdout).toContain(d.report)
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(`lockproof run ${fixture('irq-inversion.model.ts')} (normal kernel, 2 CPUs): 2 diagnostics`)
    expect(r.stdout).toContain(`wrote ${join(out, 'trace.json')}\n`)

    const json = await readFile(join(out, 'trace.json'), 'utf8')
    expect(checkTraceEventFormat(json)).toEqual([])
    expect(JSON.parse(json).traceEvents.filter((e: { cat?: string }) => e.cat === 'diagnostic').length).toBe(2)
    const ftrace = await readFile(join(out, 'trace.txt'), 'utf8')
    expect(ftrace.split('\n')[0]).toBe('# tracer: nop')
    expect(ftrace).toContain('irq_handler_entry: irq=11 name=eth0')
    const dot = await readFile(join(out, 'graph.dot'), 'utf8')
    expect(dot).toContain('"b" -> "a" [label="refused: closes the cycle"')
    const svg = await readFile(join(out, 'graph.svg'), 'utf8')
    expect(svg).toContain('<title>rx_lock</title>')
    expect(svg.match(/class="edge dependency"/g)?.length).toBe(k.lockGraph().dependencies.length)
    for (const file of ['lockdep', 'lockdep_chains', 'lockdep_stats'] as const) {
      expect(await readFile(join(out, 'proc', file), 'utf8')).toBe(k.readProc(`/proc/${file}`))
    }
  })

  it("--rt and --cpus override the module's options: on PREEMPT_RT the handler is threaded, only the cycle is left", async () => {
    const r = await lockproof(['run', fixture('irq-inversion.model.ts'), '--rt', '--cpus', '3', '-q'])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe(`lockproof run ${fixture('irq-inversion.model.ts')} (PREEMPT_RT, 3 CPUs): 1 diagnostic\n`)
  })

  it('a model with nothing to report (plain .mjs, relative path): exit 0', async () => {
    const r = await lockproof(['run', 'fixtures/clean.model.mjs', '--dot', join(out, 'clean.dot')], join(root, 'test/cli'))
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`wrote ${join(out, 'clean.dot')}\nlockproof run fixtures/clean.model.mjs (normal kernel, 1 CPU): 0 diagnostics\n`)
  })

  it('a defineModel() model: one execution with the default scheduler, its schedule printed to replay', async () => {
    const r = await lockproof(['run', fixture('contention.model.ts'), '-q'])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`lockproof run ${fixture('contention.model.ts')} (normal kernel, 2 CPUs): 0 diagnostics\nschedule: 0,0,0,0,0,0,0 (--replay it)\n`)
  })

  it('--replay runs the schedule given: the two tasks contend, the wait is in both traces', async () => {
    const r = await lockproof([
      'run',
      fixture('contention.model.ts'),
      '-q',
      '--replay',
      '0,1,0,1,0,1,0,0',
      '--ftrace',
      join(out, 'replay.txt'),
      '--perfetto',
      join(out, 'replay.json'),
    ])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('schedule: 0,1,0,1,0,1,0,0 (--replay it)\n')
    const ftrace = await readFile(join(out, 'replay.txt'), 'utf8')
    expect(ftrace).toContain('prev_comm=two prev_pid=2 prev_prio=120 prev_state=D ==> next_comm=swapper/1')
    expect(ftrace).toContain('sched_waking: comm=two pid=2 prio=120 target_cpu=001')
    const json = await readFile(join(out, 'replay.json'), 'utf8')
    expect(checkTraceEventFormat(json)).toEqual([])
    expect(json).toContain(`"name":"two waits on mutex 'a', woken by one","cat":"waits-for"`)
  })

  it('a model whose execution lockdep reports on (a → b, b → a): exit 1, the graph and /proc files from that execution', async () => {
    const r = await lockproof(['run', fixture('abba.model.ts'), '-q', '--dot', join(out, 'abba.dot'), '--proc', join(out, 'abba')])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(`lockproof run ${fixture('abba.model.ts')} (normal kernel, 2 CPUs): 1 diagnostic\n`)
    expect(await readFile(join(out, 'abba.dot'), 'utf8')).toContain('"b" -> "a" [label="refused: closes the cycle"')
    expect(await readFile(join(out, 'abba', 'lockdep'), 'utf8')).toContain(' -> [ffffffff82000020] b')
  })

  it('--json and --out <dir>: one JSON object naming the report and every file, written under the directory', async () => {
    const dir = join(out, 'abba-out')
    const r = await lockproof(['run', fixture('abba.model.ts'), '--json', '--out', dir])
    expect(r.code).toBe(1)
    const j = JSON.parse(r.stdout)
    expect([j.command, j.config, j.cpus, j.exitStatus, j.unfinished, j.threw]).toEqual(['run', 'normal kernel', 2, 1, null, null])
    expect(j.diagnostics.map((d: { kind: string; title: string }) => [d.kind, d.title])).toEqual([
      ['circular-dependency', 'WARNING: possible circular locking dependency detected'],
    ])
    expect(j.files).toEqual(
      ['trace.json', 'trace.txt', 'lockgraph.dot', 'lockgraph.svg', 'proc/lockdep', 'proc/lockdep_chains', 'proc/lockdep_stats'].map((f) => join(dir, f)),
    )
    expect(checkTraceEventFormat(await readFile(join(dir, 'trace.json'), 'utf8'))).toEqual([])
    expect(await readFile(join(dir, 'lockgraph.dot'), 'utf8')).toContain('"b" -> "a" [label="refused: closes the cycle"')
  })

  it('--replay with a function of a kernel: exit 2 (a kernel.run program has one schedule)', async () => {
    const r = await lockproof(['run', fixture('clean.model.mjs'), '--replay', '0'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--replay takes a defineModel() model')
  })

  it.each([
    ['throws.model.mjs', 'throws.model.mjs threw: TypeError: the model is broken'],
    ['not-a-model.mjs', 'its default export must be a function of a kernel'],
    ['missing.model.mjs', 'cannot load'],
  ])('%s: exit 2 with the reason', async (name, message) => {
    const r = await lockproof(['run', fixture(name)])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(message)
  })
})
