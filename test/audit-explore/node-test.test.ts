/**
 * Outside audit of issue #17 item 8: "usable inside vitest and node:test, with a failure message
 * that prints the table and the replay string". node:test runs in a child process (its runner
 * is node's own); vitest is this file.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { assertNoCounterexample, CounterexampleError, defineModel, explore } from '../../src/index.js'

const fixture = fileURLToPath(new URL('./fixtures/node-test-model.ts', import.meta.url))

describe('node:test', () => {
  it('a failing assertNoCounterexample() fails its node:test test with the report, the table and the replay string', () => {
    let out = ''
    let status = 0
    try {
      out = execFileSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', fixture], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    } catch (e) {
      const err = e as { status: number; stdout: string; stderr: string }
      status = err.status
      out = `${err.stdout}${err.stderr}`
    }
    expect(status).toBe(1)
    expect(out).toMatch(/CounterexampleError/)
    expect(out).toMatch(/BUG: spinlock recursion on CPU#0, poller\/\d+/)
    expect(out).toMatch(/\| seq \| CPU 0/)
    expect(out).toMatch(/lp1:normal:[0-9a-z]+:/)
    // one test failed, the fixed one passed
    expect(out).toMatch(/pass 1/)
    expect(out).toMatch(/fail 1/)
  }, 120_000)
})

describe('vitest', () => {
  it('expect(() => assertNoCounterexample(r)).toThrow() shows the table and the replay string in the message', () => {
    const m = defineModel(
      (k) => {
        const a = k.spinLock('a', 0)
        const b = k.spinLock('b', 0)
        k.task('one', { cpu: 0 }, function* (ctx) {
          yield* a.withLocked(ctx, function* (ctx) {
            yield* b.withLocked(ctx, function* () {})
          })
        })
        k.task('two', { cpu: 1 }, function* (ctx) {
          yield* b.withLocked(ctx, function* (ctx) {
            yield* a.withLocked(ctx, function* () {})
          })
        })
      },
      { cpus: 2, lockdep: false },
    )
    const r = explore(m, { kernels: ['rt'] })
    const c = r.counterexamples[0]
    expect(() => assertNoCounterexample(r)).toThrow(CounterexampleError)
    expect(() => assertNoCounterexample(r)).toThrow(c?.replay ?? 'no replay')
    expect(() => assertNoCounterexample(r)).toThrow('| seq | CPU 0')
  })
})
