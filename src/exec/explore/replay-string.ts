/**
 * Replay strings: `lp1:<kernel>:<fingerprint>:<indices>`, e.g. `lp1:rt:k3f9a:0.0.1.0*12.2`.
 * - `lp1`: the format's version;
 * - the kernel the execution ran on (`normal`, `rt`);
 * - a hash of the model's declarations (a replay against a changed model is refused by name);
 * - the index chosen at each choice point, `.`-separated, `i*n` for n repeats of i.
 */
import { ReplayError } from './errors.js'
import type { KernelName } from './execution.js'

const VERSION = 'lp1'

/**
 * A replay string, read: which kernel, which model (its declarations' fingerprint), which choices.
 *
 * @example
 * ```ts
 * import { decodeReplay, type DecodedReplay } from 'lockproof'
 *
 * const r: DecodedReplay = decodeReplay('lp1:rt:1mee3nl:1.1.0*4')
 * console.log(r.kernel, r.schedule) // 'rt' [1, 1, 0, 0, 0, 0]
 * ```
 */
export interface DecodedReplay {
  /** The kernel the execution ran on. */
  readonly kernel: KernelName
  /** A hash of the model's declarations (`explore()` refuses a replay on another model). */
  readonly fingerprint: string
  /** The choice index taken at each point, as `replayScheduler()` takes it. */
  readonly schedule: readonly number[]
}

/** FNV-1a over the declarations, base 36. */
export const fingerprint = (declarations: readonly string[]): string => {
  let h = 0x811c9dc5
  for (const d of declarations) {
    for (let i = 0; i < d.length; i++) {
      h ^= d.charCodeAt(i)
      h = Math.imul(h, 0x01000193)
    }
    h ^= 0x0a
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0).toString(36)
}

export const encodeReplay = (kernel: KernelName, print: string, schedule: readonly number[]): string => {
  const parts: string[] = []
  for (let i = 0; i < schedule.length; ) {
    const v = schedule[i] as number
    let j = i + 1
    while (j < schedule.length && schedule[j] === v) j++
    const n = j - i
    parts.push(n >= 3 ? `${v}*${n}` : Array(n).fill(String(v)).join('.'))
    i = j
  }
  return `${VERSION}:${kernel}:${print}:${parts.join('.')}`
}

/**
 * Reads a replay string (a `ReplayError` when it is not one): `runModel(model, { preemptRt:
 * r.kernel === 'rt', scheduler: replayScheduler(r.schedule) })` then re-runs that execution with
 * everything `runModel()` returns (lockdep's graph and /proc files among it), as `lockproof` does.
 * The fingerprint is checked by `explore(model, { replay })`, not here.
 *
 * @example
 * ```ts
 * import { decodeReplay, defineModel, replayScheduler, runModel } from 'lockproof'
 *
 * const model = defineModel((k) => { k.task('t', { cpu: 0 }, function* () {}) })
 * const r = decodeReplay('lp1:normal:0:0')
 * console.log(runModel(model, { preemptRt: r.kernel === 'rt', scheduler: replayScheduler(r.schedule) }).outcome.kind) // 'completed'
 * ```
 */
export const decodeReplay = (text: string): DecodedReplay => {
  const m = /^lp(\d+):(normal|rt):([0-9a-z]+):([0-9.*]*)$/.exec(text.trim())
  if (m === null)
    throw new ReplayError(`not a replay string: '${text}' (expected ${VERSION}:<normal|rt>:<fingerprint>:<choices>, as a counterexample prints it)`)
  if (`lp${m[1]}` !== VERSION) throw new ReplayError(`replay string version lp${m[1]}: this lockproof reads ${VERSION}`)
  const schedule: number[] = []
  const body = m[4] as string
  if (body !== '')
    for (const part of body.split('.')) {
      const r = /^(\d+)(?:\*(\d+))?$/.exec(part)
      if (r === null) throw new ReplayError(`replay string: '${part}' is not a choice (an index, or index*count)`)
      const n = r[2] === undefined ? 1 : Number(r[2])
      for (let k = 0; k < n; k++) schedule.push(Number(r[1]))
    }
  return { kernel: m[2] as KernelName, fingerprint: m[3] as string, schedule }
}
