/**
 * vitest for the equivalence harness (../equiv.ts): the test files run as usual, every model they
 * define is recorded (./capture-run.ts replaces src/exec/model/run.ts for all importers), and
 * after each file ./setup.ts runs the battery on its models.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const WRAPPER = fileURLToPath(new URL('./capture-run.ts', import.meta.url))

export default defineConfig({
  plugins: [
    {
      name: 'capture-define-model',
      enforce: 'pre',
      async resolveId(source, importer, options) {
        if (importer === undefined || importer === WRAPPER || !source.includes('run')) return null
        const r = await this.resolve(source, importer, { ...options, skipSelf: true })
        return r?.id.endsWith('/src/exec/model/run.ts') === true ? WRAPPER : null
      },
    },
  ],
  test: {
    root: fileURLToPath(new URL('../../..', import.meta.url)),
    include: ['test/**/*.test.ts'],
    setupFiles: [fileURLToPath(new URL('./setup.ts', import.meta.url))],
    testTimeout: 600_000,
    hookTimeout: 3_600_000,
  },
})
