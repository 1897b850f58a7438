/** `npx tsx bench/explore/only.ts [--quick]`: the explorer's figures alone. */
import { formatTable } from '../table.js'
import { runExploreBench } from './run-explore.js'

const { rows } = runExploreBench(process.argv.includes('--quick'), console.log)
console.log(formatTable(rows))
