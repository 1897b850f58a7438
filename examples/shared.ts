/**
 * What the examples share: `--trace` support. An example makes its kernels with `traced()`;
 * when the tour runs with `--trace`, each such kernel records its trace and the tour prints it.
 */
import { type Kernel, formatTrace } from '../src/index.js'

const kernels: { label: string; kernel: Kernel<readonly string[]> }[] = []
let tracing = process.argv.includes('--trace')

/** Turns tracing on or off for kernels made from now on (the tour and tests use it). */
export const setTracing = (on: boolean): void => {
  tracing = on
}

/** `{ trace: true }` when tracing; register the kernel under `label` with `keep()` after making it. */
export const traceOption = (): { readonly trace: boolean } => ({ trace: tracing })

/** Remembers a kernel so its trace can be printed after the example. Returns it unchanged. */
export const keep = <K extends Kernel<readonly string[]>>(label: string, kernel: K): K => {
  if (tracing) kernels.push({ label, kernel })
  return kernel
}

/** Prints, then forgets, the traces of the kernels kept since the last call. */
export const flushTraces = (log: (line: string) => void): void => {
  for (const { label, kernel } of kernels.splice(0)) {
    log(`\n  trace of ${label}:`)
    for (const line of formatTrace(kernel.trace).split('\n')) log(`    ${line}`)
  }
}
