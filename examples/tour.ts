/**
 * The tour: runs every example in order and prints what each shows. `npm start`.
 * `npm start -- --trace` also prints each example's kernels' traces (ftrace latency format).
 */
import * as guardDropOrder from './guard-drop-order.js'
import * as helpers from './helpers.js'
import * as irqInversion from './irq-inversion.js'
import * as lockOrder from './lock-order.js'
import * as napiDriver from './napi-driver.js'
import * as percpuLocalLock from './percpu-local-lock.js'
import * as preemptCount from './preempt-count.js'
import * as rawNesting from './raw-nesting.js'
import { flushTraces } from './shared.js'
import * as spinlockirqToken from './spinlockirq-token.js'

interface Example {
  readonly title: string
  run(log: (line: string) => void): void
}

const examples: readonly Example[] = [preemptCount, spinlockirqToken, guardDropOrder, percpuLocalLock, rawNesting, irqInversion, lockOrder, helpers, napiDriver]

const log = (line: string): void => console.log(line)
for (const [i, example] of examples.entries()) {
  console.log(`\n${i + 1}. ${example.title}\n${'─'.repeat(78)}`)
  example.run(log)
  flushTraces(log)
}
console.log(`\n${examples.length} examples ran.`)
