/** The verdict table of `checkLockDesign()`, as markdown or as an ASCII box, with its counterexamples as footnotes. */
import type { KernelName } from '../../exec/explore/execution.js'
import { DesignCheckError } from './errors.js'
import type { DesignCell, LockDesignVerdict } from './verdict.js'

/**
 * How `formatLockDesign()` prints.
 *
 * @example
 * ```ts
 * import type { FormatLockDesignOptions } from 'lockproof'
 *
 * const forTerminal: FormatLockDesignOptions = { style: 'ascii', tables: true }
 * console.log(forTerminal.style) // 'ascii'
 * ```
 */
export interface FormatLockDesignOptions {
  /** 'markdown' (default): a GitHub table; 'ascii': a box for a terminal. */
  readonly style?: 'markdown' | 'ascii'
  /** Print each counterexample's per-CPU table under its footnote (default false). */
  readonly tables?: boolean
}

const KERNEL_TITLES: Record<KernelName, string> = { normal: 'normal', rt: 'PREEMPT_RT' }

const formOf = (c: DesignCell): string => (c.offered ? c.form : `${c.form} (not offered)`)
const handlerOf = (c: DesignCell): string => (c.handler ? 'irq on CPU 0' : 'none')

const dropText = (order: readonly string[] | null): string => (order === null ? '' : `, dropping ${order.join(', ')}`)

/** The grid as rows of cells, the header first. */
const grid = (v: LockDesignVerdict, notes: DesignCell[]): string[][] => {
  const rows: string[][] = [['form', 'handler', ...v.kernels.map((k) => KERNEL_TITLES[k])]]
  const keys = v.cells.filter((c) => c.kernel === v.kernels[0])
  for (const key of keys) {
    const row = [formOf(key), handlerOf(key)]
    for (const kernel of v.kernels) {
      const c = v.cells.find((x) => x.kernel === kernel && x.form === key.form && x.handler === key.handler)
      if (c === undefined) {
        row.push('')
        continue
      }
      if (c.verdict === 'unsound' && c.counterexample !== null) {
        notes.push(c)
        row.push(`unsound: ${c.counterexample.kind} [${notes.length}]`)
      } else row.push(c.verdict === 'unknown' ? 'unknown (budget)' : 'sound')
    }
    rows.push(row)
  }
  return rows
}

const widths = (rows: readonly string[][]): number[] => (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)))

const markdown = (rows: readonly string[][]): string[] => {
  const w = widths(rows)
  const line = (r: readonly string[]) => `| ${r.map((x, i) => x.padEnd(w[i] ?? 0)).join(' | ')} |`
  const [head, ...body] = rows
  return [line(head ?? []), `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`, ...body.map(line)]
}

const ascii = (rows: readonly string[][]): string[] => {
  const w = widths(rows)
  const rule = `+${w.map((n) => '-'.repeat(n + 2)).join('+')}+`
  const line = (r: readonly string[]) => `| ${r.map((x, i) => x.padEnd(w[i] ?? 0)).join(' | ')} |`
  const [head, ...body] = rows
  return [rule, line(head ?? []), rule, ...body.map(line), rule]
}

const note = (n: number, c: DesignCell, tables: boolean): string[] => {
  const cx = c.counterexample
  if (cx === null) return []
  const where = `${KERNEL_TITLES[c.kernel]}, ${c.form}, ${c.handler ? 'irq on CPU 0' : 'no handler'}${dropText(cx.dropOrder)}`
  const out = [`[${n}] ${where}: ${cx.title}`]
  const others = c.failures.filter((f) => !(f.kind === cx.kind && f.title === cx.title))
  const same = (order: readonly string[] | null): boolean => order?.join() === cx.dropOrder?.join()
  for (const f of others) out.push(`    also ${f.kind}: ${f.title}${same(f.dropOrder) ? '' : dropText(f.dropOrder)}`)
  out.push(`    replay: ${cx.replay}`)
  if (tables) out.push('', ...cx.table.split('\n').map((l) => `    ${l}`), '')
  return out
}

/**
 * Prints a verdict: a headline, the table (one row per API form and handler, one column per
 * kernel; an unsound cell names its counterexample's kind and footnote), then per footnote the
 * counterexample's title, the other failures of the cell and its replay string.
 *
 * @example
 * ```ts
 * import { checkLockDesign, formatLockDesign, SPIN_LOCK_IRQ_COUNTED } from 'lockproof'
 *
 * console.log(formatLockDesign(checkLockDesign(SPIN_LOCK_IRQ_COUNTED), { style: 'ascii' }))
 * ```
 */
export const formatLockDesign = (verdict: LockDesignVerdict, options: FormatLockDesignOptions = {}): string => {
  if (typeof verdict !== 'object' || verdict === null || !Array.isArray(verdict.cells))
    throw new DesignCheckError('formatLockDesign(): the verdict must be what checkLockDesign() returned')
  const style = options.style ?? 'markdown'
  if (style !== 'markdown' && style !== 'ascii') throw new DesignCheckError(`formatLockDesign(): style must be 'markdown' or 'ascii' (got ${String(style)})`)
  const notes: DesignCell[] = []
  const rows = grid(verdict, notes)
  const whole = verdict.sound ? 'sound' : verdict.cells.some((c) => c.verdict === 'unsound') ? 'unsound' : 'unknown (a budget ended a search)'
  const head = `${verdict.label} (${verdict.kind}), variant ${verdict.variant}, ${verdict.locks} lock${verdict.locks === 1 ? '' : 's'}${verdict.secondCpu ? ', a second CPU' : ''}: ${whole}`
  const table = style === 'markdown' ? markdown(rows) : ascii(rows)
  const footnotes = notes.flatMap((c, i) => note(i + 1, c, options.tables === true))
  return [head, '', ...table, ...(footnotes.length > 0 ? ['', ...footnotes] : [])].join('\n')
}
