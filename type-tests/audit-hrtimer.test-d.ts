// An outside audit of hrtimer_start()'s mode (kernel/time/hrtimer.c hrtimer_start_range_ns():
// `WARN_ON_ONCE(!(mode & HRTIMER_MODE_SOFT) ^ !timer->is_soft)` on a normal kernel, the same with
// HRTIMER_MODE_HARD / is_hard on RT). Only the expiry bit must agree with hrtimer_setup()'s: a
// relative timer may be started absolute, pinned or not. The run-time twin: test/deferred/hrtimer-modes.test.ts.
import { expectError } from 'tsd'
import { createKernel } from '../src/index.js'

const kernel = createKernel()
const plain = kernel.hrtimerSetup('plain', () => 'HRTIMER_NORESTART', 'HRTIMER_MODE_REL')
const soft = kernel.hrtimerSetup('soft', () => 'HRTIMER_NORESTART', 'HRTIMER_MODE_REL_SOFT')
const hard = kernel.hrtimerSetup('hard', () => 'HRTIMER_NORESTART', 'HRTIMER_MODE_ABS_HARD')

kernel.run((ctx) => {
  plain.hrtimerStart(ctx, 5, 'HRTIMER_MODE_ABS')
  plain.hrtimerStart(ctx, 1, 'HRTIMER_MODE_REL_PINNED')
  soft.hrtimerStart(ctx, 5, 'HRTIMER_MODE_ABS_PINNED_SOFT')
  hard.hrtimerStart(ctx, 1, 'HRTIMER_MODE_REL_HARD')
  // Normal kernel: the SOFT bit disagrees with is_soft.
  // @expect-error Argument of type '"HRTIMER_MODE_REL_SOFT"' is not assignable to parameter of type
  expectError(plain.hrtimerStart(ctx, 1, 'HRTIMER_MODE_REL_SOFT'))
  // RT: the HARD bit disagrees with is_hard.
  // @expect-error Argument of type '"HRTIMER_MODE_REL_HARD"' is not assignable to parameter of type
  expectError(plain.hrtimerStart(ctx, 1, 'HRTIMER_MODE_REL_HARD'))
  // @expect-error Argument of type '"HRTIMER_MODE_ABS"' is not assignable to parameter of type
  expectError(soft.hrtimerStart(ctx, 1, 'HRTIMER_MODE_ABS'))
  // @expect-error Argument of type '"HRTIMER_MODE_REL"' is not assignable to parameter of type
  expectError(hard.hrtimerStart(ctx, 1, 'HRTIMER_MODE_REL'))
})
