/**
 * Loading a model module. A `.ts` (`.mts`, `.cts`, `.tsx`) model goes through tsx's API when tsx
 * is installed (an optional peer: lockproof adds no run-time dependency for it); otherwise Node
 * imports it as it is (Node versions that strip types can), and the error says what to do.
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Kernel, KernelOptions, Model } from '../index.js'

/**
 * The model formats the CLI runs: a function of a kernel (run once by `kernel.run`'s synchronous
 * executor), or a model from `defineModel()` (tasks and handlers as generators, run by the model
 * executor, and explored by the explorer).
 */
export type LoadedModel =
  | {
      readonly kind: 'kernel-function'
      readonly run: (kernel: Kernel) => unknown
      /** The module's `options` export: createKernel()'s options. */
      readonly options: KernelOptions
    }
  | { readonly kind: 'model'; readonly model: Model }

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

/** What defineModel() returns: a setup function and its options (checked by shape: the model may import another copy of lockproof). */
const isModel = (v: unknown): v is Model => isRecord(v) && typeof v.setup === 'function' && isRecord(v.options)

/** The model could not be loaded or is not a model: the message says why (exit status 2). */
export class ModelLoadError extends Error {
  override name = 'ModelLoadError'
}

const TS = /\.[cm]?tsx?$/

const importModule = async (file: string, cwd: string): Promise<unknown> => {
  const url = pathToFileURL(resolve(cwd, file)).href
  if (TS.test(file)) {
    const tsx: { tsImport: (specifier: string, parent: string) => Promise<unknown> } | null = await import('tsx/esm/api').catch(() => null)
    if (tsx !== null) return tsx.tsImport(url, import.meta.url)
  }
  try {
    return await import(url)
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? e.code : undefined
    if (code === 'ERR_UNKNOWN_FILE_EXTENSION' && TS.test(file)) {
      throw new ModelLoadError(`cannot load ${file}: this Node cannot import TypeScript. Install tsx (npm i -D tsx), or compile the model to .js/.mjs`)
    }
    if (code === 'ERR_MODULE_NOT_FOUND' && String(e).includes(url.slice(7))) throw new ModelLoadError(`cannot load ${file}: no such file`)
    throw new ModelLoadError(`cannot load ${file}: ${e instanceof Error ? e.message : String(e)}`)
  }
}

/** Imports `file` (relative to `cwd`) and checks it is a model. */
export const loadModel = async (file: string, cwd: string): Promise<LoadedModel> => {
  const mod = await importModule(file, cwd)
  if (!isRecord(mod)) throw new ModelLoadError(`${file} is not a module`)
  const run = mod.default
  const options = mod.options ?? {}
  if (!isRecord(options)) throw new ModelLoadError(`${file}: its \`options\` export must be createKernel()'s options object`)
  if (isModel(run)) return { kind: 'model', model: run }
  if (typeof run === 'function') return { kind: 'kernel-function', run: (kernel) => run(kernel), options }
  throw new ModelLoadError(
    `${file}: its default export must be a function of a kernel (\`export default (kernel) => { … }\`) or a model (\`export default defineModel((k) => { … })\`); found ${run === undefined ? 'no default export' : typeof run}`,
  )
}
