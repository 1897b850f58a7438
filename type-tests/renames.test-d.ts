// Issue #14 item 6e: three layers, three names — FreshTaskState (the type-state of a fresh task),
// TaskContext (the proof), TaskStruct (the run-time task) — and WaitType for the type level's
// wait type. The old names stay as deprecated aliases of the same types, so user code compiles.
import { expectError, expectType } from 'tsd'
import {
  type Context,
  createKernel,
  type FreshTaskState,
  type TaskContext,
  type TaskCtx,
  type TaskState,
  type TaskStruct,
  type Wait,
  type WaitType,
} from '../src/index.js'

type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false

expectType<true>(true as Same<TaskCtx, FreshTaskState>)
expectType<true>(true as Same<TaskState, TaskStruct>)
expectType<true>(true as Same<Wait, WaitType>)

const kernel = createKernel()
// kernel.run gives a fresh task's state; it proves TaskContext.
kernel.run((ctx) => {
  expectType<Context<FreshTaskState>>(ctx)
  const proof: TaskContext = ctx
  return proof.pid
})
const task: Readonly<TaskStruct> = kernel.cpu(0).current
expectType<string>(task.comm)
const allow = (w: WaitType): WaitType => w
expectType<WaitType>(allow('spin'))
// LD_WAIT_FREE is lockdep's (LockdepWaitType), not a wait type a context allows.
// @expect-error Argument of type '"free"' is not assignable to parameter of type 'WaitType'
expectError(allow('free'))
