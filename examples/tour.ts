/**
 * The tour: runs every example in order and prints what each shows. `npm start`.
 * `npm start -- --trace` also prints each example's trace where it keeps one.
 */
import * as lockOrder from './lock-order.js'
import * as preemptCount from './preempt-count.js'

interface Example {
  readonly title: string
  run(log: (line: string) => void): void
}

const examples: readonly Example[] = [preemptCount, lockOrder]

for (const [i, example] of examples.entries()) {
  console.log(`\n${i + 1}. ${example.title}\n${'─'.repeat(78)}`)
  example.run((line) => console.log(line))
}
console.log(`\n${examples.length} example(s) ran.`)
