/** One state change of a simulated CPU, as the trace records it. */
export interface TraceEvent {
  readonly seq: number
  readonly cpu: number
  readonly pid: number
  readonly comm: string
  /** The kernel function or event (`preempt_disable`, `irq_enter`, `spin_lock stats`, …). */
  readonly event: string
  /** preempt_count after the change. */
  readonly preemptCount: number
  readonly irqsDisabled: boolean
}
