/** The `lockproof` bin as a subprocess (node with tsx's loader on src/cli/bin.ts), for the CLI tests. */
import { execFile } from 'node:child_process'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = resolve(fileURLToPath(import.meta.url), '../../..')
const bin = join(root, 'src/cli/bin.ts')
export const fixture = (name: string): string => join(root, 'test/cli/fixtures', name)

export interface Result {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export const lockproof = (args: readonly string[], cwd = root): Promise<Result> =>
  new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', bin, ...args], { cwd, encoding: 'utf8' }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr })
    })
  })
