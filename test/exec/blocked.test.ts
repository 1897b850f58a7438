/**
 * One rule for a lock acquisition that cannot wait (src/exec/blocked.ts): kernel.run's 'blocked'
 * outcome (SyncExecutor.blocked) and the model executor's (a relock that cannot wait) report it
 * alike, in the words of how the waiter would wait on that kernel.
 */
import { describe, expect, it } from 'vitest'
import { blockedDeadlock, lockWaitManner } from '../../src/exec/blocked.js'
import { ModelExecutor } from '../../src/exec/model/executor.js'
import { createKernelParts } from '../../src/exec/parts.js'
import { SyncExecutor } from '../../src/exec/sync.js'
import type { AnyKindName } from '../../src/kinds/kind-of.js'
import type { Cpu } from '../../src/machine/cpu.js'
import type { BlockedOutcome } from '../../src/machine/outcome.js'
import { resolveOptions } from '../../src/options.js'
import { deadlockMessage } from '../fixtures/errors.js'

const blockedOn = (kind: AnyKindName, holderCpu: number): BlockedOutcome => ({
  tag: 'blocked',
  cpu: 0,
  lock: { label: `${kind} 'l'`, kind },
  holder: { pid: 7, comm: 'holder', cpu: holderCpu },
})

const parts = (preemptRt: boolean) => {
  const p = createKernelParts(resolveOptions({ preemptRt, cpus: 2 }))
  return { parts: p, cpu: p.cpus[0] as Cpu }
}

describe('lockWaitManner(): how a waiter waits, by the kind on each kernel', () => {
  it.each([
    ['raw_spinlock_t', false, { spinning: true, rtlock: false }],
    ['raw_spinlock_t', true, { spinning: true, rtlock: false }],
    ['spinlock_t', false, { spinning: true, rtlock: false }],
    ['spinlock_t', true, { spinning: false, rtlock: true }],
    ['rwlock_t', true, { spinning: false, rtlock: true }],
    ['mutex', false, { spinning: false, rtlock: false }],
    ['mutex', true, { spinning: false, rtlock: false }],
    ['rw_semaphore', true, { spinning: false, rtlock: false }],
  ] as const)('%s, preemptRt=%s', (kind, preemptRt, manner) => {
    expect(lockWaitManner(kind, preemptRt)).toEqual(manner)
  })
})

describe('blockedDeadlock(): the report and the error', () => {
  it.each([
    ['spinlock_t', false, 1, 'watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [swapper/0:0]'],
    ['spinlock_t', false, 0, 'BUG: spinlock recursion on CPU#0, swapper/0/0'],
    ['spinlock_t', true, 1, 'lockproof: task swapper/0:0 blocked forever in TASK_RTLOCK_WAIT (not reported by the hung-task detector)'],
    ['mutex', false, 1, 'INFO: task swapper/0:0 blocked for more than 120 seconds.'],
    ['mutex', true, 1, 'INFO: task swapper/0:0 blocked for more than 120 seconds.'],
  ] as const)('%s, preemptRt=%s, holder on CPU %s: %s', (kind, preemptRt, holderCpu, title) => {
    const { parts: p, cpu } = parts(preemptRt)
    const message = deadlockMessage(() => blockedDeadlock(p, cpu, blockedOn(kind, holderCpu)))
    expect(message).toBe(`${title}: ${kind} 'l' is held by holder/7 on CPU ${holderCpu}, which cannot run until swapper/0 gives up CPU 0`)
    expect(p.reporter.diagnostics.map((d) => [d.kind, d.title])).toEqual([['deadlock', title]])
  })

  it("the synchronous and the model executor's 'blocked' are the same rule (RT's spinlock_t: TASK_RTLOCK_WAIT in both)", () => {
    const sync = parts(true)
    const model = parts(true)
    const o = blockedOn('spinlock_t', 1)
    const a = deadlockMessage(() => new SyncExecutor(sync.parts).blocked(sync.cpu, o))
    const b = deadlockMessage(() => new ModelExecutor(model.parts).blocked(model.cpu, o))
    expect(b).toBe(a)
    expect(model.parts.reporter.diagnostics.map((d) => d.title)).toEqual([
      'lockproof: task swapper/0:0 blocked forever in TASK_RTLOCK_WAIT (not reported by the hung-task detector)',
    ])
    expect(model.parts.reporter.diagnostics.map((d) => d.report)).toEqual(sync.parts.reporter.diagnostics.map((d) => d.report))
  })
})
