#!/usr/bin/env node
// The `lockproof` executable (package.json "bin"): the process's arguments, streams and exit status around main().
import { main } from './main.js'

main(process.argv.slice(2), {
  cwd: process.cwd(),
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  errIsTTY: process.stderr.isTTY === true,
}).then(
  (code) => {
    process.exitCode = code
  },
  (e: unknown) => {
    process.stderr.write(`lockproof: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    process.exitCode = 2
  },
)
