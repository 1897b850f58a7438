/**
 * Where the time of one operation goes: runs it in a hot loop under `node --cpu-prof` and prints
 * the functions by self time (and by inclusive time for lockproof's own functions).
 *   npx tsx bench/runtime/profile.ts [spin|raw|mutex|preempt|guard|nest8] [on|off] [seconds]
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { type Context, createKernel, type FreshTaskState } from '../../src/index.js'
import { ROOT } from '../types/generate.js'
import { summarise } from './summarise.js'

const hotLoop = (op: string, lockdep: boolean, seconds: number): void => {
  const kernel = createKernel({ lockdep })
  const spin = kernel.spinLock('p-spin', { n: 0 })
  const raw = kernel.rawSpinLock('p-raw', { n: 0 })
  const mutex = kernel.mutex('p-mutex', { n: 0 })
  const chain = Array.from(
    { length: 8 },
    (_, i) => kernel.spinLock(`p-${i}`, { n: 0 }) as unknown as { withLocked(c: unknown, cb: (c: unknown) => unknown): unknown },
  )
  const nest = (ctx: unknown, at: number): unknown => (at === chain.length ? 0 : chain[at]?.withLocked(ctx, (c) => nest(c, at + 1)))
  kernel.run((ctx: Context<FreshTaskState>) => {
    const end = Date.now() + seconds * 1000
    while (Date.now() < end) {
      for (let i = 0; i < 1000; i++) {
        if (op === 'spin')
          spin.withLocked(ctx, (_c, d) => {
            d.n += 1
          })
        else if (op === 'raw')
          raw.withLocked(ctx, (_c, d) => {
            d.n += 1
          })
        else if (op === 'mutex')
          mutex.withLocked(ctx, (_c, d) => {
            d.n += 1
          })
        else if (op === 'preempt') ctx.preemptDisable(() => undefined)
        else if (op === 'guard') {
          using g = spin.lock(ctx)
          g.data.n += 1
        } else nest(ctx, 0)
      }
    }
  })
}

const [op = 'spin', mode = 'off', secs = '3', child] = process.argv.slice(2)
if (child === '--child') hotLoop(op, mode === 'on', Number(secs))
else {
  const dir = join(ROOT, 'bench/out/profile')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const r = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--import', 'tsx', 'bench/runtime/profile.ts', op, mode, secs, '--child'], {
    cwd: ROOT,
    stdio: 'inherit',
  })
  if (r.status !== 0) process.exit(r.status ?? 1)
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
  if (file === undefined) throw new Error('no profile written')
  console.log(`${op}, lockdep ${mode}: ${join('bench/out/profile', file)}`)
  for (const line of summarise(join(dir, file))) console.log(line)
}
