/**
 * The model kernel's ww_mutex factories (plugged in src/exec/model/factories.ts): the names of
 * createKernel()'s, built by the same builders with the model's hooks.
 */
import { InvalidArgumentError } from '../errors.js'
import type { LockHost } from '../locks/lock.js'
import { buildWwClass, buildWwMutex, type ModelHooks } from './build.js'
import type { ModelWwClass, ModelWwMutex } from './model-api.js'

/**
 * What a plugged factory gets (src/exec/model/factories.ts `ModelHost`), as far as these use it:
 * named here, not imported, so that the plug-in list and its factories form no import cycle.
 */
export interface ModelHost extends ModelHooks {
  readonly lockHost: LockHost
}

const hooks = (host: ModelHost): ModelHooks => ({ track: host.track, waker: host.waker, channel: host.channel })

/** `DEFINE_WD_CLASS(name)` in a model. */
export const defineWdClassFactory =
  (host: ModelHost) =>
  <const C extends string>(name: C): ModelWwClass<C> =>
    buildWwClass(host.lockHost, className('DEFINE_WD_CLASS', name), true, hooks(host)) as ModelWwClass<C>

/** `DEFINE_WW_CLASS(name)` in a model. */
export const defineWwClassFactory =
  (host: ModelHost) =>
  <const C extends string>(name: C): ModelWwClass<C> =>
    buildWwClass(host.lockHost, className('DEFINE_WW_CLASS', name), false, hooks(host)) as ModelWwClass<C>

/** `ww_mutex_init(lock, ww_class)` in a model. */
export const wwMutexFactory =
  (host: ModelHost) =>
  <const C extends string, D>(wwClass: ModelWwClass<C>, data: D): ModelWwMutex<C, D> =>
    buildWwMutex(host.lockHost, wwClass, data, hooks(host)) as ModelWwMutex<C, D>

const className = (what: string, name: unknown): string => {
  if (typeof name !== 'string' || name === '') throw new InvalidArgumentError(`${what}: the class name must be a non-empty string`)
  return name
}
