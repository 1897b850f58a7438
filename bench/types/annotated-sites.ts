/**
 * Instantiations per lock site of the annotated forms (TypeScript 6.0, count-based): N sites of
 * one form each, 50 per kernel.run() task, against the same program with no sites. Forms: the
 * plain `spinLock.withLocked` site (the reference), `withTryLocked`, `tryLock` guard,
 * `withLockedNested(ctx, 1, …)` under a held instance of the class, and `mutex.withTryLocked`.
 * Run: `npx tsx bench/types/annotated-sites.ts`.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { COMPILER_OPTIONS, OUT, ROOT, SITES_PER_TASK } from './generate.js'
import { runTsc } from './measure.js'

const FORMS = {
  'spinLock.withLocked (reference)': { make: 'spinLock', site: (l: string) => `${l}.withLocked(ctx, (_ctx, d) => { d.n += 1 })` },
  'spinLock.withTryLocked': { make: 'spinLock', site: (l: string) => `${l}.withTryLocked(ctx, (_ctx, d) => { d.n += 1 })` },
  'spinLock.tryLock guard': { make: 'spinLock', site: (l: string) => `{ const g = ${l}.tryLock(ctx); if (g !== null) { g.data.n += 1; g.unlock() } }` },
  'mutex.withTryLocked': { make: 'mutex', site: (l: string) => `${l}.withTryLocked(ctx, (_ctx, d) => { d.n += 1 })` },
  'spinLock.withLockedNested(1) under the parent': {
    make: 'spinLock',
    site: (l: string) => `${l}p.withLocked(ctx, (ctx) => ${l}.withLockedNested(ctx, 1, (_ctx, d) => { d.n += 1 }))`,
  },
} as const
type Form = keyof typeof FORMS

const program = (form: Form, sites: number, dir: string): string => {
  const f = FORMS[form]
  const nested = form.includes('Nested')
  const spec = relative(dir, join(ROOT, 'src/index.js')).split('\\').join('/')
  const lines = [`import { createKernel } from '${spec}'`, `const kernel = createKernel({ lockdep: false })`]
  for (let i = 0; i < sites; i++) {
    lines.push(`const l${i} = kernel.${f.make}('c${i}', { n: 0 })`)
    if (nested) lines.push(`const l${i}p = kernel.${f.make}('c${i}', { n: 0 })`)
  }
  for (let t = 0; t * SITES_PER_TASK < sites; t++) {
    lines.push('kernel.run((ctx) => {')
    for (let i = t * SITES_PER_TASK; i < Math.min(sites, (t + 1) * SITES_PER_TASK); i++) lines.push(`  ${f.site(`l${i}`)}`)
    lines.push('})')
  }
  return `${lines.join('\n')}\nexport {}\n`
}

const measure = (form: Form, sites: number): number => {
  const dir = join(OUT, 'annotated', `${form.replace(/[^a-z0-9]+/gi, '-')}-${sites}`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'main.ts'), program(form, sites, dir))
  const tsconfig = join(dir, 'tsconfig.json')
  writeFileSync(tsconfig, `${JSON.stringify({ compilerOptions: COMPILER_OPTIONS, files: ['main.ts'] }, null, 2)}\n`)
  const r = runTsc('TS 6.0', tsconfig)
  if (r.errors.length > 0) throw new Error(`${form} × ${sites}: ${r.errors.join(', ')}`)
  if (r.instantiations === null) throw new Error('no instantiation count')
  return r.instantiations
}

const SITES = 100
for (const form of Object.keys(FORMS) as Form[]) {
  const empty = measure(form, 0)
  const full = measure(form, SITES)
  console.log(`${form.padEnd(48)} ${((full - empty) / SITES).toFixed(1)} instantiations per site (${SITES} sites, TS 6.0)`)
}
