/** One line of the benchmark table: a figure, its baseline, their ratio, the target and whether it is met. */
export interface TargetRow {
  readonly group: 'types' | 'runtime'
  readonly figure: string
  readonly value: number | null
  readonly baseline: number | null
  readonly ratio: number | null
  readonly unit: string
  readonly target: string
  /** null: informational, or the figure is missing. */
  readonly met: boolean | null
}

const fmt = (x: number | null): string => (x === null ? 'null' : Number.isInteger(x) ? String(x) : x < 10 ? x.toFixed(3) : x.toFixed(1))

export const formatTable = (rows: readonly TargetRow[]): string => {
  const header = ['figure', 'value', 'baseline', 'ratio', 'unit', 'target', 'met?']
  const body = rows.map((r) => [
    r.figure,
    fmt(r.value),
    fmt(r.baseline),
    r.ratio === null ? '' : `${r.ratio.toFixed(2)}×`,
    r.unit,
    r.target,
    r.met === null ? '–' : r.met ? 'yes' : 'NO',
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)))
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (i >= 1 && i <= 3 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n')
}
