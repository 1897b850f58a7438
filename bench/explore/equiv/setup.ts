/** After each test file: the battery (./battery.ts) on every model the file defined; one JSON file per test file in $EQUIV_OUT. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { afterAll, expect } from 'vitest'
import { captured } from './capture-run.js'
import { battery, dumping } from './battery.js'

afterAll(() => {
  const out = process.env.EQUIV_OUT
  if (out === undefined) return
  const file = relative(process.cwd(), expect.getState().testPath ?? 'unknown')
  captured.on = false
  // EQUIV_DUMP=<dir>:<model index>: that model's canonical texts are written to <dir> as well.
  const [dumpDir, dumpModel] = (process.env.EQUIV_DUMP ?? '').split(':')
  const models = captured.models.map((m, i) => {
    dumping(dumpDir !== undefined && dumpDir !== '' && String(i) === dumpModel ? dumpDir : null, `m${i}`)
    return { index: i, cases: battery(m) }
  })
  dumping(null, '')
  captured.models = []
  mkdirSync(out, { recursive: true })
  writeFileSync(join(out, `${file.replaceAll('/', '__')}.json`), `${JSON.stringify({ file, models }, null, 1)}\n`)
})
