/**
 * A lock keeps its owner's comm in the machine (writerComm, readerComms), set at acquire and
 * cleared at release: a deadlock report names the holder by it, even when the holder's task
 * has left the machine's task table (a task that exits is removed from it).
 */
import { describe, expect, it } from 'vitest'
import { createKernel, type Diagnostic } from '../../src/index.js'
import { machineOf } from '../../src/kernel.js'
import { exitTask } from '../../src/machine/machine.js'

const lockState = (k: ReturnType<typeof createKernel>, name: string) => {
  const l = machineOf(k).locks.find((x) => x.name === name)
  if (l === undefined) throw new Error(`no lock ${name}`)
  return l
}

describe("the owner's comm in the machine", () => {
  it('is set at acquire and cleared at release, for the writer and each reader', () => {
    const k = createKernel({ cpus: 2 })
    const s = k.spinLock('s', 0)
    const rw = k.rwLock('rw', 0)
    const seen: unknown[] = []
    k.run(
      (ctx) =>
        s.withLocked(ctx, (ctx) =>
          rw.withRead(ctx, () => {
            const st = lockState(k, 's')
            const r = lockState(k, 'rw')
            seen.push([st.writerComm, [...r.readerComms], r.writerComm])
          }),
        ),
      { comm: 'writer' },
    )
    expect(seen).toEqual([['writer', ['writer'], '']])
    expect(lockState(k, 's').writerComm).toBe('')
    expect(lockState(k, 'rw').readerComms).toEqual([])
  })

  it('names the holder in a deadlock report after its task left the task table', () => {
    const k = createKernel({ cpus: 2, onDiagnostic: 'record' })
    const sb = k.spinLock('sb', 0)
    let message = ''
    k.run((ctx) =>
      sb.withLocked(ctx, () => {
        const machine = machineOf(k)
        const holder = machine.tasks[1]
        if (holder === undefined) throw new Error('no task 1')
        // What exitTask() does when a task ends: the lock's owner fields are all that is left of it.
        exitTask(machine, holder)
        try {
          k.run((c) => sb.withLocked(c, () => 0), { cpu: 1 })
        } catch (e) {
          message = (e as Error).message
        } finally {
          machine.tasks[1] = holder
        }
      }),
    )
    expect(message).toContain("spinlock_t 'sb' is held by task-1/1 on CPU 0")
    const d = k.diagnostics.find((x: Diagnostic) => x.kind === 'deadlock')
    expect(d).toMatchObject({ holder: { comm: 'task-1', pid: 1, cpu: 0 } })
  })
})
