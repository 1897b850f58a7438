/**
 * src/exec/model/run.ts as the equivalence harness sees it (./vitest.config.ts puts this module
 * in its place for every importer): the same exports, with `defineModel()` also recording each
 * model a test file defines, so ./battery.ts can run it afterwards.
 */
import { defineModel as define, type Model } from '../../../src/exec/model/run.js'
import type { ModelKernel } from '../../../src/exec/model/model-kernel.js'
import type { KernelOptions } from '../../../src/options.js'

export * from '../../../src/exec/model/run.js'

/** The models defined since the last take (in definition order); off while the battery runs. */
export const captured: { models: Model<readonly string[]>[]; on: boolean } = { models: [], on: true }

export const defineModel = <const Order extends readonly string[] = readonly []>(
  setup: (k: ModelKernel<Order>) => void,
  options: KernelOptions<Order> = {},
): Model<Order> => {
  const m = define(setup, options)
  if (captured.on) captured.models.push(m as unknown as Model<readonly string[]>)
  return m
}
