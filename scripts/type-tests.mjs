#!/usr/bin/env node
// The type-test gate. Every `// @expect-error <fragment>` comment says: the next code line has a
// compile error whose text contains <fragment>. Every other line must compile. Checked under
// TypeScript 5.9, 6.0 and 7.0 (each compiler by its path), then under tsd for its strict
// expectType identity checks (tsd bundles its own compiler).
import { execFileSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(fileURLToPath(import.meta.url), '../..')
const dir = join(root, 'type-tests')
const compilers = [
  ['TypeScript 5.9', 'node_modules/typescript-5.9/bin/tsc'],
  ['TypeScript 6.0', 'node_modules/typescript/bin/tsc'],
  ['TypeScript 7.0', 'node_modules/typescript-7/bin/tsc'],
]
const only = process.argv.slice(2)

const files = readdirSync(dir)
  .filter((f) => f.endsWith('.test-d.ts'))
  .map((f) => join(dir, f))

/** Marker lines: file → Map(line of the code it guards → fragment). */
const expectations = new Map()
for (const file of files) {
  const lines = readFileSync(file, 'utf8').split('\n')
  const marks = new Map()
  lines.forEach((text, i) => {
    const m = /\/\/ @expect-error (.+)$/.exec(text)
    if (!m) return
    let j = i + 1
    while (j < lines.length && /^\s*(\/\/.*)?$/.test(lines[j])) j++
    marks.set(j + 1, m[1].trim())
  })
  expectations.set(file, marks)
}

/** Parses `file(line,col): error TSnnnn: message` plus its indented continuation lines. */
const parseDiagnostics = (output) => {
  const diagnostics = []
  for (const line of output.split('\n')) {
    const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line)
    if (m) diagnostics.push({ file: resolve(root, m[1]), line: Number(m[2]), code: m[4], text: m[5] })
    else if (diagnostics.length > 0 && /^\s/.test(line)) diagnostics.at(-1).text += `\n${line.trim()}`
  }
  return diagnostics
}

let failures = 0
const fail = (message) => {
  failures++
  console.error(`  ✗ ${message}`)
}

for (const [name, tsc] of compilers) {
  if (only.length > 0 && !only.some((o) => name.includes(o))) continue
  let output = ''
  try {
    output = execFileSync(process.execPath, [join(root, tsc), '-p', join(dir, 'tsconfig.json'), '--noEmit', '--pretty', 'false'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
  } catch (error) {
    output = `${error.stdout ?? ''}${error.stderr ?? ''}`
  }
  const diagnostics = parseDiagnostics(output)
  const before = failures
  let checked = 0
  for (const d of diagnostics) {
    const fragment = expectations.get(d.file)?.get(d.line)
    if (fragment === undefined) fail(`${name}: unexpected error at ${relative(root, d.file)}:${d.line}: ${d.code} ${d.text.split('\n')[0]}`)
  }
  for (const [file, marks] of expectations) {
    for (const [line, fragment] of marks) {
      checked++
      const here = diagnostics.filter((d) => d.file === file && d.line === line)
      if (here.length === 0) fail(`${name}: ${relative(root, file)}:${line} compiles, but an error with "${fragment}" was expected`)
      else if (!here.some((d) => d.text.includes(fragment))) {
        fail(`${name}: ${relative(root, file)}:${line}: the error does not say "${fragment}":\n      ${here.map((d) => d.text).join('\n      ')}`)
      }
    }
  }
  if (output.trim() !== '' && diagnostics.length === 0) fail(`${name}: the compiler printed something unparsable:\n${output}`)
  console.log(`${failures === before ? '✓' : '✗'} ${name}: ${checked} expected errors, ${diagnostics.length} reported`)
}

if (only.length === 0 || only.includes('tsd')) {
  const { default: api } = await import('tsd')
  const { default: tsd, formatter } = api
  const results = await tsd({ cwd: root, typingsFile: 'dist/index.d.ts', testFiles: ['type-tests/*.test-d.ts'] })
  if (results.length > 0) {
    failures += results.length
    console.error(formatter(results))
  }
  console.log(`${results.length === 0 ? '✓' : '✗'} tsd: ${files.length} files`)
}

if (failures > 0) {
  console.error(`${failures} type-test failure(s)`)
  process.exit(1)
}
