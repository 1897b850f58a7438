/** The data of a per-CPU lock kind (local_lock_t): `init(cpu)` makes each CPU's copy on its first use. */
import type { Cpu } from '../machine/cpu.js'

export const perCpuData = <D>(init: (cpu: number) => D): ((cpu: Cpu) => D) => {
  const perCpu = new Map<number, D>()
  return (cpu) => {
    if (!perCpu.has(cpu.id)) perCpu.set(cpu.id, init(cpu.id))
    return perCpu.get(cpu.id) as D
  }
}
