import { defineConfig } from 'tsup'

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    target: 'es2022',
    dts: {
      // tsup 8 passes `baseUrl`, which TypeScript 6 deprecates.
      compilerOptions: { ignoreDeprecations: '6.0' },
    },
    sourcemap: true,
    // The two builds run at once: this one's clean leaves the CLI's files alone.
    clean: ['!cli.js', '!cli.js.map'],
    treeshake: true,
  },
  {
    // The `lockproof` executable: ESM only; Graphviz and tsx are optional peers, loaded when present.
    entry: { cli: 'src/cli/bin.ts' },
    format: ['esm'],
    target: 'es2022',
    platform: 'node',
    sourcemap: true,
    clean: false,
    treeshake: true,
    external: ['@hpcc-js/wasm-graphviz', 'tsx', 'tsx/esm/api'],
    // The library is the package's own dist/index.js, not a second bundled copy (src/cli imports only '../index.js').
    esbuildPlugins: [
      {
        name: 'lockproof-itself',
        setup(build) {
          build.onResolve({ filter: /^\.\.\/index\.js$/ }, () => ({ path: './index.js', external: true }))
        },
      },
    ],
  },
])
