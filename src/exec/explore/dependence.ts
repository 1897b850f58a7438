/**
 * When two steps do not commute (partial-order reduction explores both orders only then).
 * - Steps on one CPU: always dependent. Which task runs there, and whether an interrupt can arrive,
 *   depends on the other step (a lock taken turns preemption or interrupts off), so independence
 *   would be wrong even when they touch different objects.
 * - An interrupt arrival only changes its own CPU (the handler's steps are choices of their own,
 *   or its thread is woken on RT): independent of other CPUs' steps. A softirq raise runs its
 *   handlers inline, so it is dependent with everything.
 * - The local timer interrupt of a model's timers (deferred work): dependent with everything.
 * - Task steps on two CPUs: dependent when they touch the same channel and one writes; a step
 *   with no `access` is dependent with everything (never wrong, only slower to explore).
 */
import type { Choice } from '../model/scheduler.js'

export const dependent = (a: Choice, b: Choice): boolean => {
  if (a.cpu === b.cpu) return true
  // A softirq raise runs its handlers inline (irq_exit() on a normal kernel): they may touch anything.
  if (a.kind === 'softirq' || b.kind === 'softirq') return true
  // The kernel's lines (< 0: src/deferred/lines.ts): the local timer interrupt is offered while a
  // timer is armed on its CPU, which other CPUs' steps change (timer_delete()): dependent with everything.
  if ((a.kind === 'irq' && a.line < 0) || (b.kind === 'irq' && b.line < 0)) return true
  if (a.kind !== 'task' || b.kind !== 'task') return false
  const x = a.access
  const y = b.access
  if (x === undefined || y === undefined) return true
  // Ids count per kind of object (locks by the machine, other channels by the model): compare both.
  return x.channel.id === y.channel.id && x.channel.kind === y.channel.kind && (x.write || y.write)
}
