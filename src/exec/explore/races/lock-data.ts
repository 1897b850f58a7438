/**
 * The hook of a lock's data path (src/locks/lock.ts, where a guard or a section is handed its
 * data): while the explorer runs, the data is handed out watched (./watched.ts), so an access
 * through a reference kept past the unlock is seen as what it is — an access without the lock —
 * and races in KCSAN's shape with a concurrent access by another context. Outside `explore()`
 * (the synchronous kernel, `runModel()`) the data is handed out as it is: one null check.
 */
import type { WaitChannel } from '../../wait.js'
import { activeExecution } from '../active.js'
import { dataRacesOf, type WatchCpu } from './data-races.js'
import { watchOf } from './watched.js'

/** What the hook reads of the lock: its channel (the lock itself: id, kind, name) and whether its data is per CPU. */
export interface DataLock extends WaitChannel {
  readonly spec: { readonly data: 'shared' | 'per-cpu' }
}

/** `data` (the copy of CPU `cpu` for a per-CPU kind) as the section or guard gets it. */
export const lockData = <D>(lock: DataLock, cpus: readonly WatchCpu[], cpu: number, data: D): D => {
  const active = activeExecution()
  if (active === null || typeof data !== 'object' || data === null) return data
  const path = lock.spec.data === 'per-cpu' ? `per_cpu(${lock.name}, ${cpu})` : lock.name
  return watchOf(dataRacesOf(active, cpus)).wrap(data, { channel: lock, path })
}
