#!/usr/bin/env node
// Installs the packed library into a scratch ESM project and a scratch CommonJS project, runs a
// small program in each, and type-checks a file that must pass and one that must fail, under
// TypeScript 5.9, 6.0 and 7.0. Needs `npm run build` first.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(fileURLToPath(import.meta.url), '../..')
const compilers = [
  ['TypeScript 5.9', join(root, 'node_modules/typescript-5.9/bin/tsc')],
  ['TypeScript 6.0', join(root, 'node_modules/typescript/bin/tsc')],
  ['TypeScript 7.0', join(root, 'node_modules/typescript-7/bin/tsc')],
]
const work = mkdtempSync(join(tmpdir(), 'lockproof-consumer-'))
let failures = 0
const check = (ok, message) => {
  console.log(`${ok ? '✓' : '✗'} ${message}`)
  if (!ok) failures++
}
const run = (cmd, args, cwd) => {
  try {
    return { ok: true, out: execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) }
  } catch (error) {
    return { ok: false, out: `${error.stdout ?? ''}${error.stderr ?? ''}` }
  }
}

/** Exit status and output of a command that may exit non-zero on purpose. */
const runStatus = (cmd, args, cwd) => {
  try {
    return { status: 0, out: execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) }
  } catch (error) {
    return { status: error.status ?? -1, out: `${error.stdout ?? ''}${error.stderr ?? ''}` }
  }
}
// A model for the bin: a lock shared with an interrupt handler, taken with interrupts on.
const cliModel = `export default (kernel) => {
  const s = kernel.spinLock('s', 0)
  kernel.requestIrq(3, 'dev', (ctx) => s.withLocked(ctx, () => 0))
  kernel.run((ctx) => { s.withLocked(ctx, () => 0); ctx.raiseIrq(3) })
}
`
// A defineModel() model for `lockproof explore`: a → b on one CPU, b → a on the other.
const exploreModel = `import { defineModel } from 'lockproof'
export default defineModel((k) => {
  const a = k.mutex('a', 0)
  const b = k.mutex('b', 0)
  k.task('one', { cpu: 0 }, function* (ctx) { yield* a.withLocked(ctx, function* (c) { yield* b.withLocked(c, function* () {}) }) })
  k.task('two', { cpu: 1 }, function* (ctx) { yield* b.withLocked(ctx, function* (c) { yield* a.withLocked(c, function* () {}) }) })
}, { cpus: 2 })
`
const program = `
const kernel = createKernel({ preemptRt: true })
const stats = kernel.spinLock('stats', { hits: 0 })
kernel.run((ctx) => stats.withLockedIrqSave(ctx, (_ctx, s) => { s.hits++ }))
console.log('hits', kernel.run((ctx) => stats.withLocked(ctx, (_ctx, s) => s.hits)), 'reports', kernel.diagnostics.length)
`
const good = `
const kernel = createKernel()
const hw = kernel.rawSpinLock('hw', { reg: 0 })
const needsIrqsOff = (_ctx: IrqDisabled): number => 1
kernel.run((ctx) => {
  using g = hw.lockIrqSave(ctx)
  needsIrqsOff(g.ctx)
})
`
const bad = `
const kernel = createKernel()
const hw = kernel.rawSpinLock('hw', 0)
const stats = kernel.spinLock('stats', 0)
kernel.run((ctx) => hw.withLocked(ctx, (ctx) => stats.withLocked(ctx, () => 0)))
`
// Internals that must not be reachable through the published types (issue #11, type item 6):
// each line must fail to compile, with an error that names it. One line per internal.
const INTERNALS = [
  ['assertUsable', "kernel.run((ctx) => ctx.assertUsable('x'))"],
  ['revoke', 'kernel.run((ctx) => ctx.revoke())'],
  ['onLeak', 'kernel.run((ctx) => ctx.onLeak)'],
  ['scoped', 'kernel.run((ctx) => ctx.scoped)'],
  ['heldLocks', 'kernel.run((ctx) => ctx.heldLocks)'],
  // The class is not a value of the package at all: its statics cannot be reached.
  ['Context', 'Lockproof.Context.push'],
  ['Context', 'Lockproof.Context.root'],
  ['Context', 'Lockproof.Context.guard'],
  ['CpuView', 'new Lockproof.CpuView(kernel)'],
  ['report', "kernel.report('x')"],
  ['ScopeContext', 'Lockproof.ScopeContext'],
]
// Run-time structure that must not appear in the published declarations at all.
const DTS_INTERNALS = [
  'ScopeContext',
  'LockRuntime',
  'StepHost',
  'StepDelivery',
  'StepFrame',
  'STEPS',
  'KernelParts',
  'Reporter',
  'SyncExecutor',
  'MachineCpu',
  'HeldRecord',
]
const internalsFile = `import * as Lockproof from 'lockproof'
const kernel = Lockproof.createKernel()
${INTERNALS.map(([, line]) => line).join('\n')}
export {}
`
const INTERNALS_FIRST_LINE = 3

try {
  const pack = run('npm', ['pack', '--pack-destination', work, '--silent'], root)
  check(pack.ok, 'npm pack')
  const tarball = join(
    work,
    readdirSync(work).find((f) => f.endsWith('.tgz')),
  )
  for (const flavour of ['esm', 'cjs']) {
    const dir = join(work, flavour)
    rmSync(dir, { recursive: true, force: true })
    execFileSync('mkdir', ['-p', dir])
    const esm = flavour === 'esm'
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${flavour}`, private: true, type: esm ? 'module' : 'commonjs' }))
    const install = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], dir)
    check(install.ok, `${flavour}: npm install of the packed tarball${install.ok ? '' : `\n${install.out}`}`)
    // The published declarations carry no run-time internals, not even as unexported types.
    const dts = readFileSync(join(dir, 'node_modules', 'lockproof', 'dist', esm ? 'index.d.ts' : 'index.d.cts'), 'utf8')
    for (const name of DTS_INTERNALS) check(!new RegExp(`\\b${name}\\b`).test(dts), `${flavour}: the published .d.ts does not mention ${name}`)
    const header = esm ? "import { createKernel } from 'lockproof'\n" : "const { createKernel } = require('lockproof')\n"
    writeFileSync(join(dir, esm ? 'main.mjs' : 'main.cjs'), header + program)
    const exec = run(process.execPath, [esm ? 'main.mjs' : 'main.cjs'], dir)
    check(exec.ok && exec.out.includes('hits 1 reports 0'), `${flavour}: the program runs (${exec.out.trim()})`)
    if (esm) {
      // The installed `lockproof` bin runs a model; its optional peers (Graphviz, tsx) are absent here.
      const bin = join(dir, 'node_modules', '.bin', 'lockproof')
      writeFileSync(join(dir, 'model.mjs'), cliModel)
      writeFileSync(join(dir, 'model.ts'), `${cliModel}\nexport const typed: number = 1\n`)
      const help = run(bin, ['--help'], dir)
      check(help.ok && help.out.startsWith('Usage: lockproof <command>'), 'bin: lockproof --help')
      const found = runStatus(bin, ['run', 'model.mjs', '-q', '--dot', 'graph.dot'], dir)
      check(
        found.status === 1 &&
          found.out.includes('(normal kernel, 1 CPU): 1 diagnostic') &&
          readFileSync(join(dir, 'graph.dot'), 'utf8').startsWith('digraph lockdep {'),
        `bin: lockproof run model.mjs finds the report, exit 1 (${found.status}: ${found.out.trim()})`,
      )
      const svg = runStatus(bin, ['run', 'model.mjs', '-q', '--svg', 'graph.svg'], dir)
      check(svg.status === 2 && svg.out.includes('--svg needs Graphviz'), `bin: --svg without @hpcc-js/wasm-graphviz says so, exit 2 (${svg.status})`)
      writeFileSync(join(dir, 'abba.mjs'), exploreModel)
      const explored = runStatus(bin, ['explore', 'abba.mjs', '-q', '--no-lockdep', '--kernels', 'normal', '--out', 'cx'], dir)
      check(
        explored.status === 1 &&
          explored.out.includes('deadlock on the normal kernel: INFO: task one:1 blocked for more than 120 seconds.') &&
          readFileSync(join(dir, 'cx', 'normal-1', 'lockgraph.dot'), 'utf8').startsWith('digraph lockdep {'),
        `bin: lockproof explore abba.mjs finds the deadlock, writes its files, exit 1 (${explored.status}: ${explored.out.trim().split('\n').at(-1)})`,
      )
      const ts = runStatus(bin, ['run', 'model.ts'], dir)
      check(
        ts.status === 1 || (ts.status === 2 && ts.out.includes('Install tsx')),
        `bin: a .ts model without tsx runs where Node strips types, else says to install tsx (${ts.status}: ${ts.out.trim().split('\n').at(-1)})`,
      )
    }
    const typesHeader = "import { createKernel, type IrqDisabled } from 'lockproof'\n"
    writeFileSync(join(dir, 'good.ts'), `${typesHeader}${good}export {}\n`)
    writeFileSync(join(dir, 'bad.ts'), `${typesHeader}${bad}export {}\n`)
    const tsconfig = (file) => ({
      compilerOptions: {
        strict: true,
        target: 'es2022',
        module: esm ? 'nodenext' : 'node16',
        moduleResolution: esm ? 'nodenext' : 'node16',
        lib: ['es2022', 'esnext.disposable'],
        types: [],
        noEmit: true,
        skipLibCheck: false,
      },
      files: [file],
    })
    writeFileSync(join(dir, 'tsconfig.good.json'), JSON.stringify(tsconfig('good.ts')))
    writeFileSync(join(dir, 'tsconfig.bad.json'), JSON.stringify(tsconfig('bad.ts')))
    writeFileSync(join(dir, 'internals.ts'), internalsFile)
    writeFileSync(join(dir, 'tsconfig.internals.json'), JSON.stringify(tsconfig('internals.ts')))
    for (const [name, tsc] of compilers) {
      const ok = run(process.execPath, [tsc, '-p', 'tsconfig.good.json', '--pretty', 'false'], dir)
      check(ok.ok, `${flavour}, ${name}: a valid program type-checks${ok.ok ? '' : `\n${ok.out}`}`)
      const ko = run(process.execPath, [tsc, '-p', 'tsconfig.bad.json', '--pretty', 'false'], dir)
      check(
        !ko.ok && ko.out.includes("Invalid wait context: spinlock_t 'stats'"),
        `${flavour}, ${name}: an invalid nesting fails with "Invalid wait context"${!ko.ok ? '' : ' (it compiled)'}`,
      )
      const internals = run(process.execPath, [tsc, '-p', 'tsconfig.internals.json', '--pretty', 'false'], dir)
      INTERNALS.forEach(([internal], i) => {
        const line = INTERNALS_FIRST_LINE + i
        const errors = internals.out.split('\n').filter((l) => l.includes(`internals.ts(${line},`))
        check(
          errors.length > 0 && errors.some((l) => l.includes(`'${internal}'`)),
          `${flavour}, ${name}: line ${line} (${INTERNALS[i]?.[1]}) fails to compile, naming '${internal}'${errors.length > 0 ? '' : ' (it compiled)'}`,
        )
      })
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}
if (failures > 0) {
  console.error(`${failures} consumer check(s) failed`)
  process.exit(1)
}
