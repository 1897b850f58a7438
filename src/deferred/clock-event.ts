/**
 * What the clock expires (timer_list, hrtimer), and the events a CPU's timer interrupt expired
 * that its softirqs have yet to run: TIMER softirq's list and HRTIMER softirq's. One shape for both
 * executors (./runtime.ts, ./model/core.ts).
 */
import type { Cpu } from '../machine/cpu.js'

/** Something the clock expires on one CPU: a timer_list, an hrtimer, a delayed work's timer. */
export interface ClockEvent {
  /** Expiry, in simulated milliseconds (jiffies at HZ=1000). */
  expires: number
  readonly cpu: number
  /** Where it expires: the TIMER softirq, hardirq (the hrtimer interrupt), the HRTIMER softirq. */
  readonly base: 'timer' | 'hard' | 'soft'
  /** Runs it (its callback context is the base's). */
  fire(cpu: Cpu): void
}

export interface ExpiredLists {
  readonly timer: ClockEvent[]
  readonly soft: ClockEvent[]
}

/** Takes `e` off whichever list holds it; true if one did. */
export const takeExpired = (lists: ExpiredLists | undefined, e: ClockEvent): boolean => {
  if (lists === undefined) return false
  for (const list of [lists.timer, lists.soft]) {
    const at = list.indexOf(e)
    if (at >= 0) {
      list.splice(at, 1)
      return true
    }
  }
  return false
}

/** Expired and not yet run. */
export const isExpired = (lists: ExpiredLists | undefined, e: ClockEvent): boolean => (lists?.timer.includes(e) ?? false) || (lists?.soft.includes(e) ?? false)
