/**
 * What `lockproof explore` prints: each kernel's search (executions, exhausted or why not, its
 * outcomes), what happens on one kernel only, each counterexample (title, report, per-CPU table,
 * replay string and the command that replays it, the files written), and a summary line; or the
 * same as one JSON object (`--json`).
 */
import type { Counterexample, ExploreResult, KernelExploration, KernelName } from '../index.js'

export const KERNEL_TITLE: Readonly<Record<KernelName, string>> = { normal: 'the normal kernel', rt: 'PREEMPT_RT' }

const plural = (n: number, one: string): string => `${n.toLocaleString('en-US')} ${one}${n === 1 ? '' : 's'}`

/** A word for a shell: quoted unless it is plain. */
export const shellWord = (s: string): string => (/^[\w./:@=,+-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`)

/** What a counterexample is, in a few words: the kind, or the report's title. */
const outcomeOf = (c: Counterexample): string => (c.kind === 'diagnostic' ? `reports '${c.title}'` : c.kind)

export interface ExploreTextOptions {
  readonly model: string
  readonly quiet: boolean
  /** explore stopped each kernel at its first counterexample (no --keep-going). */
  readonly stopOnFailure: boolean
  /** The replayed string, or null for a search. */
  readonly replay: string | null
  /** The command that replays `c`. */
  readonly replayCommand: (c: Counterexample) => string
  /** The files written for `c` (and, with `replay`, for the replayed execution under key null). */
  readonly written: ReadonlyMap<Counterexample | null, readonly string[]>
}

const searchState = (k: KernelExploration, o: ExploreTextOptions): string =>
  o.replay !== null
    ? 'replayed'
    : k.exhausted
      ? 'bounded space exhausted'
      : k.counterexamples.length > 0 && o.stopOnFailure
        ? 'stopped at the first failing execution'
        : 'bounded space not exhausted (the budget ran out)'

export const kernelLine = (k: KernelExploration, o: ExploreTextOptions): string =>
  `${KERNEL_TITLE[k.kernel]}: ${plural(k.executions, 'execution')} in ${Math.round(k.elapsedMs).toLocaleString('en-US')} ms, ${searchState(k, o)}: ${
    k.counterexamples.length === 0
      ? 'no counterexample'
      : `${plural(k.counterexamples.length, 'counterexample')} (${k.counterexamples.map(outcomeOf).join('; ')})`
  }`

const counterexampleText = (c: Counterexample, o: ExploreTextOptions, printed: Set<readonly string[]>): string[] => {
  const paths = o.written.get(c) ?? []
  // Counterexamples of one execution share its files: listed once.
  const files = printed.has(paths) ? [`(its files: as above, the same execution)`] : paths.map((p) => `wrote ${p}`)
  printed.add(paths)
  const heading = `${c.kind} on ${KERNEL_TITLE[c.kernel]}: ${c.title}`
  const replay = [`replay: ${c.replay}`, `  ${o.replayCommand(c)}`]
  if (o.quiet) return ['', heading, ...replay, ...files]
  const found = `found at execution ${c.foundAt}; shown with ${plural(c.preemptions, 'preemption')} and ${plural(c.arrivals, 'interrupt arrival')}`
  return ['', heading, found, '', c.report, '', c.table, '', ...replay, ...files]
}

export const summaryLine = (r: ExploreResult, o: ExploreTextOptions): string => {
  const what = o.replay === null ? `lockproof explore ${o.model}` : `lockproof explore ${o.model} --replay ${shellWord(o.replay)}`
  if (r.counterexamples.length > 0)
    return `${what}: ${plural(r.counterexamples.length, 'counterexample')} (${r.kernels.map((k) => `${k.counterexamples.length === 0 ? 'none' : k.counterexamples.length} on ${KERNEL_TITLE[k.kernel]}`).join(', ')})`
  if (o.replay !== null) return `${what}: no counterexample in the replayed execution`
  const open = r.kernels.filter((k) => !k.exhausted)
  return `${what}: no counterexample, ${open.length === 0 ? 'bounded space exhausted' : `bounded space not exhausted on ${open.map((k) => KERNEL_TITLE[k.kernel]).join(' and ')}`}`
}

export const exploreText = (r: ExploreResult, o: ExploreTextOptions): string => {
  const printed = new Set<readonly string[]>()
  return [
    ...r.kernels.map((k) => kernelLine(k, o)),
    ...r.differences,
    ...r.counterexamples.flatMap((c) => counterexampleText(c, o, printed)),
    ...(o.written.get(null) ?? []).map((p) => `wrote ${p}`),
    summaryLine(r, o),
    '',
  ].join('\n')
}

/** `--json`: the result without the traces (they are in the files written). */
export const exploreJson = (r: ExploreResult, o: ExploreTextOptions, exitStatus: number): string =>
  `${JSON.stringify(
    {
      command: 'explore',
      model: o.model,
      replay: o.replay,
      ok: r.ok,
      exhausted: r.exhausted,
      exitStatus,
      kernels: r.kernels.map((k) => ({
        kernel: k.kernel,
        executions: k.executions,
        exhausted: k.exhausted,
        elapsedMs: Math.round(k.elapsedMs),
        counterexamples: k.counterexamples.length,
      })),
      differences: r.differences,
      counterexamples: r.counterexamples.map((c) => ({
        kernel: c.kernel,
        kind: c.kind,
        title: c.title,
        report: c.report,
        table: c.table,
        replay: c.replay,
        replayCommand: o.replayCommand(c),
        preemptions: c.preemptions,
        arrivals: c.arrivals,
        foundAt: c.foundAt,
        files: o.written.get(c) ?? [],
      })),
      files: o.written.get(null) ?? [],
    },
    null,
    2,
  )}\n`
