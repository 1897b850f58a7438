/**
 * The command line's parser in-process (the bin's own tests, test/cli/cli.test.ts, run it as a
 * subprocess): each bad option or value is a usage error with a message naming it, each good one
 * reaches the command as the explorer's option.
 */
import { describe, expect, it } from 'vitest'
import { parseCli } from '../../src/cli/args.js'

const usageError = (argv: readonly string[]): string => {
  const p = parseCli(argv)
  if (p.kind !== 'usage-error') throw new Error(`expected a usage error, got ${p.kind}`)
  return p.message
}

describe('usage errors: a message naming the option and what it takes', () => {
  it.each([
    [[], 'no command given'],
    [['run'], 'run: no model module given'],
    [['explore'], 'explore: no model module given'],
    [['run', 'a.ts', 'b.ts'], 'run: one model at a time (also given: b.ts)'],
    [['run', 'a.ts', '--perfetto'], "Option '--perfetto <value>' argument missing"],
    [
      ['run', 'a.ts', '--replay', '0,x'],
      "--replay: a replay string (lp1:<kernel>:<fingerprint>:<choices>, as explore prints it) or choice indices separated by commas (0,1,0), not '0,x'",
    ],
    [
      ['run', 'a.ts', '--replay', 'lp1:sparc:abc:0'],
      "--replay: not a replay string: 'lp1:sparc:abc:0' (expected lp1:<normal|rt>:<fingerprint>:<choices>, as a counterexample prints it)",
    ],
    [['run', 'a.ts', '--replay', 'lp2:rt:abc:0'], '--replay: replay string version lp2: this lockproof reads lp1'],
    [['run', 'a.ts', '--replay', 'lp1:normal:abc:0', '--rt'], '--replay: the replay string ran on the normal kernel, --rt asks for PREEMPT_RT'],
    [['run', 'a.ts', '--replay', 'lp1:normal:abc:0', '--cpus', '2'], '--replay: --cpus cannot go with a replay string (it was recorded on the model as it is)'],
    [['explore', 'a.ts', '--replay', '0,1'], "--replay: a replay string (lp1:<kernel>:<fingerprint>:<choices>, as a counterexample prints it), not '0,1'"],
    [
      ['explore', 'a.ts', '--replay', 'lp1:rt:abc:0', '--strategy', 'random', '--seed', '3'],
      '--replay runs one recorded execution: --strategy, --seed cannot go with it',
    ],
    [['explore', 'a.ts', '--kernels', 'normal,normal'], "--kernels: normal and/or rt, comma-separated, each once, not 'normal,normal'"],
    [['explore', 'a.ts', '--kernels', 'rt,arm'], "--kernels: normal and/or rt, comma-separated, each once, not 'rt,arm'"],
    [['explore', 'a.ts', '--reduction', 'partial'], "--reduction: one of dpor, sleep, none, not 'partial'"],
    [['explore', 'a.ts', '--preemption-bound=-1'], "--preemption-bound: a whole number ≥ 0, not '-1'"],
    [['explore', 'a.ts', '--max-executions', '1e3x'], "--max-executions: a whole number ≥ 1, not '1e3x'"],
    [['explore', 'a.ts', '--max-time', '0'], "--max-time: a whole number ≥ 1, not '0'"],
    [['explore', 'a.ts', '--depth', '2.5'], "--depth: a whole number ≥ 1, not '2.5'"],
    [['explore', 'a.ts', '--shrink', ''], "--shrink: a whole number ≥ 0, not ''"],
    [['explore', 'a.ts', '--rt'], "explore: --rt is not one of its options (it is run's; see 'lockproof explore --help')"],
    [['run', 'a.ts', '--keep-going'], "run: --keep-going is not one of its options (it is explore's; see 'lockproof run --help')"],
  ])('%j: %s', (argv, message) => {
    expect(usageError(argv)).toBe(message)
  })
})

describe('what the commands get', () => {
  it('explore: each flag as the explorer option it stands for; the rest left to the explorer', () => {
    const p = parseCli([
      'explore',
      'm.ts',
      '--kernels',
      'rt',
      '--strategy',
      'pct',
      '--seed',
      '0',
      '--depth',
      '2',
      '--preemption-bound',
      'none',
      '--max-executions',
      '500',
      '--max-time',
      '2000',
      '--step-limit',
      '50',
      '--keep-going',
      '--no-shrink',
      '--no-lockdep',
      '--irq-arrivals',
      '2',
      '-o',
      'out',
      '--json',
      '-q',
    ])
    expect(p).toEqual({
      kind: 'args',
      args: {
        command: 'explore',
        model: 'm.ts',
        lockdep: false,
        irqArrivals: 2,
        replay: undefined,
        out: 'out',
        json: true,
        quiet: true,
        search: {
          kernels: ['rt'],
          strategy: 'pct',
          seed: 0,
          depth: 2,
          preemptionBound: null,
          maxExecutions: 500,
          maxTimeMs: 2000,
          stepLimit: 50,
          stopOnFailure: false,
          shrink: 0,
        },
      },
    })
    const bare = parseCli(['explore', 'm.ts'])
    expect(bare.kind === 'args' && bare.args.command === 'explore' ? bare.args.search : null).toEqual({})
  })

  it("--replay: the explorer's string, decoded (run: its kernel too), or run's comma form", () => {
    const s = parseCli(['run', 'm.ts', '--replay', 'lp1:rt:1mee3nl:1.1.0*4'])
    expect(s.kind === 'args' && s.args.command === 'run' ? [s.args.rt, s.args.replay] : null).toEqual([
      true,
      { kind: 'string', text: 'lp1:rt:1mee3nl:1.1.0*4', decoded: { kernel: 'rt', fingerprint: '1mee3nl', schedule: [1, 1, 0, 0, 0, 0] } },
    ])
    const c = parseCli(['run', 'm.ts', '--replay', '0,1,0'])
    expect(c.kind === 'args' ? c.args.replay : null).toEqual({ kind: 'indices', indices: [0, 1, 0] })
  })

  it('--help and --version win over everything else; a command before --help asks for its own help', () => {
    expect(parseCli(['explore', '--help'])).toEqual({ kind: 'help', command: 'explore' })
    expect(parseCli(['run', 'm.ts', '-h', '--frob-not-parsed-yet'])).toMatchObject({ kind: 'usage-error' })
    expect(parseCli(['-h'])).toEqual({ kind: 'help', command: null })
    expect(parseCli(['help', 'explore'])).toEqual({ kind: 'help', command: 'explore' })
    expect(parseCli(['help'])).toEqual({ kind: 'help', command: null })
    expect(parseCli(['run', '-v'])).toEqual({ kind: 'version' })
  })
})
