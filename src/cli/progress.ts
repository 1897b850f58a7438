/**
 * Progress of a long exploration on stderr: what the explorer's `onProgress` reports (executions,
 * executions/s, the done fraction of the bounded space), at most every PROGRESS_EVERY_MS (the
 * explorer throttles). On a terminal one line rewritten in place and cleared at the end; into a
 * file or a pipe (CI logs) plain lines.
 */
import type { Progress } from '../index.js'
import { KERNEL_TITLE } from './explore-text.js'

export const PROGRESS_EVERY_MS = 500

const grouped = (n: number): string => Math.round(n).toLocaleString('en-US')

/** Two decimals below 1 %, one below 10 %; never 100 % while the search runs (the DFS's fraction is Knuth's estimate). */
const percent = (f: number): string => {
  const p = Math.min(99, f * 100)
  const digits = p < 1 ? 2 : p < 10 ? 1 : 0
  return `${(Math.floor(p * 10 ** digits) / 10 ** digits).toFixed(digits)}%`
}

/** `explore: PREEMPT_RT: 12,345 executions, 2,285/s, 37% of the bounded space done`. */
export const progressLine = (p: Progress): string =>
  `explore: ${KERNEL_TITLE[p.kernel]}: ${grouped(p.executions)} executions, ${grouped(p.perSecond)}/s${p.fraction === null ? '' : `, ${percent(p.fraction)} of the bounded space done`}`

export interface ProgressSink {
  readonly onProgress: (p: Progress) => void
  /** The search ended: clear the terminal's line. */
  readonly done: () => void
}

/** Writes progress to `err`; a terminal gets `\r` and erase-line (ESC [ K), nothing else. */
export const progressSink = (err: (text: string) => void, tty: boolean): ProgressSink => {
  let shown = false
  return {
    onProgress: (p) => {
      shown = true
      err(tty ? `\r\x1b[K${progressLine(p)}` : `${progressLine(p)}\n`)
    },
    done: () => {
      if (tty && shown) err('\r\x1b[K')
      shown = false
    },
  }
}
