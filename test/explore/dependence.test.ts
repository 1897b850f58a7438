/** When two choices commute (src/exec/explore/dependence.ts). */
import { describe, expect, it } from 'vitest'
import { dependent } from '../../src/exec/explore/dependence.js'
import type { Choice } from '../../src/exec/model/scheduler.js'

const ch = (id: number, kind = 'spinlock_t') => ({ id, kind, name: `l${id}` })
const task = (pid: number, cpu: number, access?: { id: number; write: boolean }): Choice =>
  access === undefined
    ? { kind: 'task', pid, comm: `t${pid}`, cpu }
    : { kind: 'task', pid, comm: `t${pid}`, cpu, access: { channel: ch(access.id), write: access.write } }

describe('dependent()', () => {
  it('one CPU: always (which task runs and whether an interrupt can arrive depend on each other)', () => {
    expect(dependent(task(1, 0, { id: 1, write: true }), task(2, 0, { id: 2, write: true }))).toBe(true)
    expect(dependent(task(1, 0, { id: 1, write: false }), { kind: 'irq', cpu: 0, line: 5 })).toBe(true)
  })
  it('two CPUs: same channel and a write; reads commute; other channels commute; no access is dependent', () => {
    expect(dependent(task(1, 0, { id: 1, write: true }), task(2, 1, { id: 1, write: false }))).toBe(true)
    expect(dependent(task(1, 0, { id: 1, write: false }), task(2, 1, { id: 1, write: false }))).toBe(false)
    expect(dependent(task(1, 0, { id: 1, write: true }), task(2, 1, { id: 2, write: true }))).toBe(false)
    expect(dependent(task(1, 0), task(2, 1, { id: 2, write: false }))).toBe(true)
  })
  it('an interrupt arrival commutes with other CPUs; a softirq raise (handlers inline) with nothing', () => {
    expect(dependent({ kind: 'irq', cpu: 0, line: 5 }, task(2, 1))).toBe(false)
    expect(dependent({ kind: 'softirq', cpu: 0, nr: 3 }, task(2, 1, { id: 9, write: false }))).toBe(true)
  })
  it('channels of different kinds with one id are different objects', () => {
    const cell: Choice = { kind: 'task', pid: 1, comm: 'a', cpu: 0, access: { channel: ch(1, 'cell'), write: true } }
    expect(dependent(cell, task(2, 1, { id: 1, write: true }))).toBe(false)
  })
})
