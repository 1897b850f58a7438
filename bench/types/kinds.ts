/**
 * Type-check cost of defined lock kinds (issue #18), count-based: the flat program's four forms
 * (generate.ts) written four ways, and per-site instantiations compared.
 *
 *   builtin    the factories: `kernel.spinLock()`, `rawSpinLock()`, `mutex()` (the public interfaces)
 *   defined    `kernel.lock(kind, …)` of kinds defined with `defineLockKind()` as copies of the
 *              three built-ins' specs under new names (every member of the built-in, through `LockOf`)
 *   factory    the same kinds' locks from their factories, `const newSpin = kernel.lockOf(spin)`
 *              made once per kind (the recommended form: docs/defining-kinds.md, "Cost")
 *   own        the factories of the same kinds, each with a member table of its own (one method
 *              more, `withCustom`, in no table lockproof ships: no written shape)
 *   ten-unused the builtin program with ten more kinds defined and never used
 *
 * Programs go under bench/out/.types-kinds/ (git-ignored).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { COMPILER_OPTIONS, ROOT, SITES_PER_TASK } from './generate.js'
import { type CompilerName, type TscFigures, runTsc } from './measure.js'

export type KindsFlavour = 'builtin' | 'defined' | 'factory' | 'own' | 'ten-unused'

const FORMS = [
  { builtin: 'kernel.spinLock', defined: 'spin', factory: 'newSpin', site: (l: string) => `${l}.withLocked(ctx, (_ctx, d) => {\n    d.n += 1\n  })` },
  { builtin: 'kernel.rawSpinLock', defined: 'raw', factory: 'newRaw', site: (l: string) => `${l}.withLockedIrqSave(ctx, (_ctx, d) => {\n    d.n += 1\n  })` },
  { builtin: 'kernel.mutex', defined: 'mtx', factory: 'newMtx', site: (l: string) => `${l}.withLocked(ctx, (_ctx, d) => {\n    d.n += 1\n  })` },
  { builtin: 'kernel.spinLock', defined: 'spin', factory: 'newSpin', site: (l: string) => `{\n    using g = ${l}.lock(ctx)\n    g.data.n += 1\n  }` },
] as const

/** Copies of three built-ins' specs under new kind names: the same sequences, rules and methods. */
const DEFINED_PRELUDE = `
const spin = defineLockKind({ ...KIND_SPECS.spinlock_t, kind: 'bench_spin', label: 'bench_spin' })
const raw = defineLockKind({ ...KIND_SPECS.raw_spinlock_t, kind: 'bench_raw', label: 'bench_raw' })
const mtx = defineLockKind({ ...KIND_SPECS.mutex, kind: 'bench_mutex', label: 'bench_mutex' })
`

/** The same kinds, each with its factory (`kernel.lockOf(kind)`), made once like the kind. */
const FACTORY_PRELUDE = `${DEFINED_PRELUDE}const newSpin = kernel.lockOf(spin)
const newRaw = kernel.lockOf(raw)
const newMtx = kernel.lockOf(mtx)
`

/** The same kinds with a method of their own each (`withCustom`: the `withLocked` entry again), and their factories. */
const OWN_PRELUDE = `
const spin = defineLockKind({ ...KIND_SPECS.spinlock_t, kind: 'bench_spin', label: 'bench_spin', methods: { ...KIND_SPECS.spinlock_t.methods, withCustom: ['plain', 'write'] } })
const raw = defineLockKind({ ...KIND_SPECS.raw_spinlock_t, kind: 'bench_raw', label: 'bench_raw', methods: { ...KIND_SPECS.raw_spinlock_t.methods, withCustom: ['plain', 'write'] } })
const mtx = defineLockKind({ ...KIND_SPECS.mutex, kind: 'bench_mutex', label: 'bench_mutex', methods: { ...KIND_SPECS.mutex.methods, withCustom: ['plain', 'write'] } })
const newSpin = kernel.lockOf(spin)
const newRaw = kernel.lockOf(raw)
const newMtx = kernel.lockOf(mtx)
`

/** Ten kinds, defined and never used. */
const TEN_PRELUDE = Array.from(
  { length: 10 },
  (_, i) =>
    `export const unused${i} = defineLockKind({ ...KIND_SPECS.${['spinlock_t', 'mutex', 'raw_spinlock_t', 'rw_semaphore', 'rwlock_t'][i % 5]}, kind: 'unused_${i}', label: 'unused_${i}' })`,
).join('\n')

/**
 * `uses`: how many times each lock is taken, one after the other in the same task. The sites
 * after the first are call sites of a lock whose type is already resolved: what a lock used
 * all over a driver costs per call, apart from its declaration.
 */
export const kindsProgramText = (flavour: KindsFlavour, sites: number, fromDir: string, uses = 1): string => {
  const lines: string[] = []
  for (let i = 0; i < sites; i++) {
    const form = FORMS[i % FORMS.length] as (typeof FORMS)[number]
    lines.push(
      flavour === 'defined'
        ? `const l${i} = kernel.lock(${form.defined}, 'c${i}', { n: 0 })`
        : flavour === 'factory' || flavour === 'own'
          ? `const l${i} = ${form.factory}('c${i}', { n: 0 })`
          : `const l${i} = ${form.builtin}('c${i}', { n: 0 })`,
    )
  }
  for (let t = 0; t * SITES_PER_TASK < sites; t++) {
    lines.push('kernel.run((ctx) => {')
    for (let i = t * SITES_PER_TASK; i < Math.min(sites, (t + 1) * SITES_PER_TASK); i++)
      for (let u = 0; u < uses; u++) lines.push(`  ${(FORMS[i % FORMS.length] as (typeof FORMS)[number]).site(`l${i}`)}`)
    lines.push('})')
  }
  const spec = relative(fromDir, join(ROOT, 'src/index.js')).split('\\').join('/')
  const prelude =
    flavour === 'defined'
      ? DEFINED_PRELUDE
      : flavour === 'factory'
        ? FACTORY_PRELUDE
        : flavour === 'own'
          ? OWN_PRELUDE
          : flavour === 'ten-unused'
            ? TEN_PRELUDE
            : ''
  return `// generated: kinds ${flavour} ${sites}\nimport { createKernel, defineLockKind, KIND_SPECS } from '${spec.startsWith('.') ? spec : `./${spec}`}'\n\nconst kernel = createKernel({ lockdep: false })\nvoid defineLockKind\nvoid KIND_SPECS\n${prelude}\n${lines.join('\n')}\nexport {}\n`
}

/** Writes and type-checks one program. */
export const measureKinds = (
  compiler: CompilerName,
  flavour: KindsFlavour,
  sites: number,
  base = join(ROOT, 'bench/out/.types-kinds'),
  uses = 1,
): TscFigures => {
  const dir = join(base, `${flavour}-${sites}${uses === 1 ? '' : `x${uses}`}`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'main.ts'), kindsProgramText(flavour, sites, dir, uses))
  const tsconfig = join(dir, 'tsconfig.json')
  writeFileSync(tsconfig, `${JSON.stringify({ compilerOptions: COMPILER_OPTIONS, files: ['main.ts'] }, null, 2)}\n`)
  return runTsc(compiler, tsconfig)
}
