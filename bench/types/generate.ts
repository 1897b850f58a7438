/**
 * Writes the type-check benchmark programs: the same shape in two flavours, one with lockproof's
 * types and one untyped baseline (the same callbacks on plain functions taking `unknown`).
 *
 *   flat N    N lock sites of distinct classes, 50 per kernel.run() task (as a driver spreads its
 *             locking over several tasks), cycling over four forms: spinLock.withLocked,
 *             rawSpinLock.withLockedIrqSave, mutex.withLocked and a `using` guard on a spinLock.
 *   nested d  d distinct classes nested callback in callback (spinLock outside, rawSpinLock inside).
 *   helpers S×H  H helpers, each taking its own class in one of the four forms, called from S sites.
 *   chain d   d helpers, each taking a spinlock_t and calling the next inside it (calls: [next]).
 *
 * Programs go under bench/out/.types/ (git-ignored; the leading dot keeps them out of the
 * project's own `tsc -p tsconfig.json`, whose "bench" include skips dot-directories).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const OUT = join(ROOT, 'bench/out/.types')

export type Flavour = 'typed' | 'baseline'
export type Shape =
  | { readonly kind: 'flat'; readonly sites: number }
  | { readonly kind: 'nested'; readonly depth: number }
  | { readonly kind: 'helpers'; readonly sites: number; readonly helpers: number }
  | { readonly kind: 'chain'; readonly depth: number }

/** Sites per kernel.run() task in the flat programs. */
export const SITES_PER_TASK = 50

export const shapeName = (shape: Shape): string =>
  shape.kind === 'flat'
    ? `flat-${shape.sites}`
    : shape.kind === 'nested'
      ? `nested-${shape.depth}`
      : shape.kind === 'helpers'
        ? `helpers-${shape.sites}x${shape.helpers}`
        : `chain-${shape.depth}`

/** The compiler options of /work/main/tsconfig.json that decide checking cost (src uses structuredClone, so @types/node as there). */
export const COMPILER_OPTIONS = {
  target: 'es2022',
  module: 'esnext',
  moduleResolution: 'bundler',
  lib: ['es2022', 'esnext.disposable'],
  types: ['node'],
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  noErrorTruncation: true,
  noImplicitOverride: true,
  noFallthroughCasesInSwitch: true,
  isolatedModules: true,
  verbatimModuleSyntax: true,
  skipLibCheck: true,
  noEmit: true,
} as const

/** The untyped stand-in for lockproof: same call shapes, every context `unknown`. */
const BASELINE_PRELUDE = `
interface PlainGuard<D> {
  readonly ctx: unknown
  readonly data: D
  [Symbol.dispose](): void
}
interface PlainLock<D> {
  withLocked<R>(ctx: unknown, cb: (ctx: unknown, data: D) => R): R
  withLockedIrqSave<R>(ctx: unknown, cb: (ctx: unknown, data: D) => R): R
  lock(ctx: unknown): PlainGuard<D>
}
function plainLock<D>(_name: string, data: D): PlainLock<D> {
  const withLocked = <R>(ctx: unknown, cb: (ctx: unknown, data: D) => R): R => cb(ctx, data)
  return { withLocked, withLockedIrqSave: withLocked, lock: (ctx) => ({ ctx, data, [Symbol.dispose]: () => undefined }) }
}
const kernel = {
  run<R>(cb: (ctx: unknown) => R): R {
    return cb({})
  },
  spinLock: plainLock,
  rawSpinLock: plainLock,
  mutex: plainLock,
}
interface PlainTake {
  readonly lock: unknown
}
const takes = (lock: unknown, _variant?: string): PlainTake => ({ lock })
interface PlainSpec {
  readonly name: string
  readonly takes?: readonly PlainTake[]
  readonly calls?: readonly unknown[]
}
function helper<A extends unknown[], R>(_spec: PlainSpec, body: (ctx: unknown, ...args: A) => R): (ctx: unknown, ...args: A) => R {
  return body
}
`

const FORMS = [
  { make: 'spinLock', site: (l: string) => `${l}.withLocked(ctx, (_ctx, d) => {\n    d.n += 1\n  })` },
  { make: 'rawSpinLock', site: (l: string) => `${l}.withLockedIrqSave(ctx, (_ctx, d) => {\n    d.n += 1\n  })` },
  { make: 'mutex', site: (l: string) => `${l}.withLocked(ctx, (_ctx, d) => {\n    d.n += 1\n  })` },
  { make: 'spinLock', site: (l: string) => `{\n    using g = ${l}.lock(ctx)\n    g.data.n += 1\n  }` },
] as const

const flatBody = (sites: number): string => {
  const lines: string[] = []
  for (let i = 0; i < sites; i++) {
    const form = FORMS[i % FORMS.length] as (typeof FORMS)[number]
    lines.push(`const l${i} = kernel.${form.make}('c${i}', { n: 0 })`)
  }
  for (let t = 0; t * SITES_PER_TASK < sites; t++) {
    lines.push(`kernel.run((ctx) => {`)
    for (let i = t * SITES_PER_TASK; i < Math.min(sites, (t + 1) * SITES_PER_TASK); i++) {
      const form = FORMS[i % FORMS.length] as (typeof FORMS)[number]
      lines.push(`  ${form.site(`l${i}`)}`)
    }
    lines.push(`})`)
  }
  return lines.join('\n')
}

const nestedBody = (depth: number): string => {
  const lines: string[] = []
  const spins = Math.ceil(depth / 2)
  for (let i = 0; i < depth; i++) lines.push(`const l${i} = kernel.${i < spins ? 'spinLock' : 'rawSpinLock'}('c${i}', { n: ${i} })`)
  let open = 'kernel.run((ctx) => {\n'
  let close = '})\n'
  for (let i = 0; i < depth; i++) {
    const pad = '  '.repeat(i + 1)
    open += `${pad}l${i}.withLocked(ctx, (ctx, d${i}) => {\n${pad}  d${i}.n += 1\n`
    close = `${pad}})\n${close}`
  }
  return `${lines.join('\n')}\n${open}${'  '.repeat(depth + 1)}void ctx\n${close}`
}

/** The variant each form's helper declares (the method its body calls). */
const TAKE_VARIANT = ['plain', 'irqsave', 'plain', 'plain'] as const

/**
 * helpers S×H: H helpers (each taking its own lock class in one of the four forms), called from
 * S sites, 50 per task: what a driver written with helpers looks like to the compiler.
 */
const helpersBody = (sites: number, helpers: number): string => {
  const lines: string[] = []
  for (let i = 0; i < helpers; i++) {
    const form = FORMS[i % FORMS.length] as (typeof FORMS)[number]
    lines.push(`const l${i} = kernel.${form.make}('c${i}', { n: 0 })`)
    lines.push(
      `const h${i} = helper({ name: 'h${i}', takes: [takes(l${i}, '${TAKE_VARIANT[i % FORMS.length]}')] }, (ctx) => {
  ${form.site(`l${i}`)}
})`,
    )
  }
  for (let t = 0; t * SITES_PER_TASK < sites; t++) {
    lines.push(`kernel.run((ctx) => {`)
    for (let i = t * SITES_PER_TASK; i < Math.min(sites, (t + 1) * SITES_PER_TASK); i++) lines.push(`  h${i % helpers}(ctx)`)
    lines.push(`})`)
  }
  return lines.join('\n')
}

/** chain d: helper i takes class i (a spinlock_t) and calls helper i+1 inside it; one call of helper 0. */
const chainBody = (depth: number): string => {
  const lines: string[] = []
  for (let i = 0; i < depth; i++) lines.push(`const l${i} = kernel.spinLock('c${i}', { n: ${i} })`)
  for (let i = depth - 1; i >= 0; i--) {
    const calls = i === depth - 1 ? '' : `, calls: [h${i + 1}]`
    const inner =
      i === depth - 1
        ? 'd.n += 1'
        : `d.n += 1
    h${i + 1}(ctx)`
    lines.push(`const h${i} = helper({ name: 'h${i}', takes: [takes(l${i})]${calls} }, (ctx) =>
  l${i}.withLocked(ctx, (ctx, d) => {
    ${inner}
  }),
)`)
  }
  lines.push('kernel.run((ctx) => h0(ctx))')
  return lines.join('\n')
}

const bodyOf = (shape: Shape): string =>
  shape.kind === 'flat'
    ? flatBody(shape.sites)
    : shape.kind === 'nested'
      ? nestedBody(shape.depth)
      : shape.kind === 'helpers'
        ? helpersBody(shape.sites, shape.helpers)
        : chainBody(shape.depth)

/** The source text of one program. `fromDir` is where it is written (for the relative import). */
export const programText = (shape: Shape, flavour: Flavour, fromDir: string): string => {
  const body = bodyOf(shape)
  if (flavour === 'baseline') return `// generated: ${shapeName(shape)} (untyped baseline)\n${BASELINE_PRELUDE}\n${body}\nexport {}\n`
  const spec = relative(fromDir, join(ROOT, 'src/index.js')).split('\\').join('/')
  return `// generated: ${shapeName(shape)} (lockproof)\nimport { ${shape.kind === 'helpers' || shape.kind === 'chain' ? 'createKernel, helper, takes' : 'createKernel'} } from '${spec.startsWith('.') ? spec : `./${spec}`}'\n\nconst kernel = createKernel({ lockdep: false })\n${body}\nexport {}\n`
}

/** Writes main.ts and tsconfig.json for one program under `base`; returns the tsconfig path. */
export const writeProgram = (shape: Shape, flavour: Flavour, base: string = OUT): string => {
  const dir = join(base, shapeName(shape), flavour)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'main.ts'), programText(shape, flavour, dir))
  const tsconfig = join(dir, 'tsconfig.json')
  writeFileSync(tsconfig, `${JSON.stringify({ compilerOptions: COMPILER_OPTIONS, files: ['main.ts'] }, null, 2)}\n`)
  return tsconfig
}
