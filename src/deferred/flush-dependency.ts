/**
 * kernel/workqueue.c `check_flush_dependency()`: a work of a WQ_MEM_RECLAIM workqueue (one with a
 * rescuer, guaranteed to make progress under memory pressure) must not wait for work of a
 * workqueue without one — that breaks the forward-progress guarantee:
 *   if (from_cancel || target_wq->flags & WQ_MEM_RECLAIM) return;
 *   worker = current_wq_worker();
 *   WARN_ONCE(worker && ((worker->current_pwq->wq->flags & (WQ_MEM_RECLAIM | __WQ_LEGACY)) == WQ_MEM_RECLAIM),
 *             "workqueue: WQ_MEM_RECLAIM %s:%ps is flushing !WQ_MEM_RECLAIM %s:%ps", …);
 * Called by `start_flush_work()` (only with something to wait for) and `__flush_workqueue()`.
 * lockproof has no `create_workqueue()` (__WQ_LEGACY); PF_MEMALLOC's twin warning is not modelled.
 */
import type { Task } from '../machine/machine.js'

/** What `current_wq_worker()` finds: the workqueue and work the task runs now (`process_one_work()`). */
export interface CurrentWork {
  readonly wq: { readonly name: string; readonly flags: { readonly memReclaim?: boolean } }
  readonly work: string
}

const current = new WeakMap<Task, CurrentWork[]>()

/** `process_one_work()` calls the function: `worker->current_pwq`, `worker->current_func`. */
export const enterWork = (task: Task, w: CurrentWork): void => {
  const stack = current.get(task)
  if (stack === undefined) current.set(task, [w])
  else stack.push(w)
}

export const exitWork = (task: Task): void => {
  current.get(task)?.pop()
}

/** The WARN_ONCE's message when `task` may not flush `target` (null: fine). */
export const flushDependencyViolation = (task: Task, target: CurrentWork['wq'], targetFunc: string | null, fromCancel: boolean): string | null => {
  if (fromCancel || target.flags.memReclaim === true) return null
  const worker = current.get(task)?.at(-1)
  if (worker === undefined || worker.wq.flags.memReclaim !== true) return null
  return `workqueue: WQ_MEM_RECLAIM ${worker.wq.name}:${worker.work} is flushing !WQ_MEM_RECLAIM ${target.name}:${targetFunc ?? '0x0'}`
}
