#!/usr/bin/env node
// The doc-example gate. Every ```ts block inside an `@example` of a doc comment in src/**/*.ts is
// written as its own module under bench/out/.doc-examples/ (git-ignored), with `from 'lockproof'`
// pointing at src/index.ts, and compiled with the project's strictness. Fails when a snippet does
// not compile, or when an export of src/index.ts has no `@example` in its doc comment.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const srcDir = join(root, 'src')
const entry = join(srcDir, 'index.ts')
const outDir = join(root, 'bench', 'out', '.doc-examples')
const rel = (p) => relative(root, p).split(sep).join('/')

let failures = 0
const fail = (message) => {
  failures++
  console.error(`  ✗ ${message}`)
}

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  )

// ── The program: for names of documented declarations, and the exports of the entry point ─────
const configFile = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile)
if (configFile.error) throw new Error(ts.flattenDiagnosticMessageText(configFile.error.messageText, '\n'))
const files = walk(srcDir).sort()
const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root)
const program = ts.createProgram(files, parsed.options)
const checker = program.getTypeChecker()

/** The name of a declaration, qualified by its enclosing named declarations: `Kernel.run`. */
const qualifiedName = (node) => {
  const parts = []
  for (let n = node; n !== undefined && !ts.isSourceFile(n); n = n.parent) {
    let name
    if (ts.isVariableStatement(n)) name = n.declarationList.declarations[0]?.name.getText()
    else if (ts.isExportDeclaration(n) && n.exportClause && ts.isNamespaceExport(n.exportClause)) name = n.exportClause.name.text
    else if (n.name !== undefined && (ts.isIdentifier(n.name) || ts.isStringLiteral(n.name) || ts.isPrivateIdentifier(n.name))) name = n.name.text
    else if (ts.isComputedPropertyName(n.name ?? {})) name = n.name.getText()
    if (name !== undefined && parts[0] !== name) parts.unshift(name)
  }
  return parts.join('.')
}

/** Doc comment start offset → the declaration it documents, for every node carrying one. */
const ownerOf = new Map()
const collectOwners = (sf) => {
  const visit = (node) => {
    for (const doc of node.jsDoc ?? []) ownerOf.set(`${sf.fileName}:${doc.pos}`, node)
    ts.forEachChild(node, visit)
  }
  visit(sf)
}

// ── Extraction: every ```ts fence inside an @example section ────────────────────────────────
/** @type {{ file: string, line: number, symbol: string, code: string }[]} */
const snippets = []
for (const file of files) {
  const sf = program.getSourceFile(file)
  if (sf === undefined) continue
  collectOwners(sf)
  const text = sf.text
  for (const m of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const owner = ownerOf.get(`${file}:${m.index}`)
    const commentLine = sf.getLineAndCharacterOfPosition(m.index).line + 1
    const symbol = owner !== undefined ? qualifiedName(owner) || '(file)' : `(comment at line ${commentLine})`
    // Strip the comment markers and each line's leading ` * `.
    const lines = m[0]
      .replace(/^\/\*\*/, '')
      .replace(/\*\/$/, '')
      .split('\n')
      .map((l) => l.replace(/^\s*\* ?/, ''))
    let inExample = false
    let fence = null // { start, lines } while inside a ```ts block of an example
    lines.forEach((l, i) => {
      const sourceLine = commentLine + i
      if (fence !== null) {
        if (/^\s*```\s*$/.test(l)) {
          snippets.push({ file, line: fence.start, symbol, code: fence.lines.join('\n') })
          fence = null
        } else fence.lines.push(l)
        return
      }
      const tag = /^\s*@(\w+)/.exec(l)
      if (tag) inExample = tag[1] === 'example'
      if (inExample && /^\s*```(ts|typescript)\s*$/.test(l)) fence = { start: sourceLine + 1, lines: [] }
      else if (/^\s*```/.test(l) && inExample && !/^\s*```\s*$/.test(l)) fence = null
    })
    if (fence !== null) fail(`${rel(file)}:${fence.start} ${symbol}: unterminated \`\`\`ts block in @example`)
  }
}

// ── Every export of the entry point has an @example ─────────────────────────────────────────
const hasExample = (decl) => {
  // A namespace re-export (`export * as ns from`) is documented on its export declaration.
  const node = ts.isNamespaceExport(decl) ? decl.parent : decl
  return ts.getJSDocTags(node).some((t) => t.tagName.text === 'example')
}
const entrySf = program.getSourceFile(entry)
const entrySymbol = entrySf && checker.getSymbolAtLocation(entrySf)
if (entrySymbol === undefined) throw new Error('cannot read the exports of src/index.ts')
const exportNames = []
for (const exp of checker.getExportsOfModule(entrySymbol)) {
  exportNames.push(exp.name)
  const own = exp.declarations ?? []
  const namespaceExport = own.find((d) => ts.isNamespaceExport(d))
  const target = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp
  const decls = namespaceExport !== undefined ? [namespaceExport] : (target.declarations ?? [])
  if (decls.length === 0) fail(`export ${exp.name}: no declaration found`)
  else if (!decls.some(hasExample)) {
    const d = decls[0]
    const sf = d.getSourceFile()
    fail(`${rel(sf.fileName)}:${sf.getLineAndCharacterOfPosition(d.getStart()).line + 1} export ${exp.name} has no @example in its doc comment`)
  }
}

// ── Compile every snippet as its own module ─────────────────────────────────────────────────
rmSync(outDir, { recursive: true, force: true })
mkdirSync(outDir, { recursive: true })
const importPath = (() => {
  const p = relative(outDir, join(srcDir, 'index.js')).split(sep).join('/')
  return p.startsWith('.') ? p : `./${p}`
})()
const byFile = new Map()
snippets.forEach((s, i) => {
  const name = `${String(i + 1).padStart(3, '0')}-${s.symbol.replace(/[^\w.-]+/g, '_').slice(0, 60)}.ts`
  const code = s.code.replace(/(from\s+|import\s+)(['"])lockproof\2/g, `$1$2${importPath}$2`)
  const header = `// ${rel(s.file)}:${s.line} — @example of ${s.symbol}\n`
  // A snippet is a module even without imports, so its names do not clash with another's.
  const body = /^\s*(import|export)\s/m.test(code) ? code : `${code}\nexport {}`
  writeFileSync(join(outDir, name), `${header}${body}\n`)
  byFile.set(resolve(outDir, name), { ...s, headerLines: 1 })
})

const { compilerOptions = {} } = configFile.config
writeFileSync(
  join(outDir, 'tsconfig.json'),
  `${JSON.stringify({ compilerOptions: { ...compilerOptions, noEmit: true, noUnusedLocals: false }, include: ['*.ts'] }, null, 2)}\n`,
)

if (snippets.length > 0) {
  let output = ''
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(outDir, 'tsconfig.json'), '--pretty', 'false'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
  } catch (error) {
    output = `${error.stdout ?? ''}${error.stderr ?? ''}`
    if (output.trim() === '') throw error
  }
  let current = null
  for (const line of output.split('\n')) {
    const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line)
    if (m) {
      const s = byFile.get(resolve(root, m[1]))
      if (s === undefined) {
        fail(line)
        continue
      }
      const at = s.line + Number(m[2]) - 1 - s.headerLines
      current = `${rel(s.file)}:${at} @example of ${s.symbol}: ${m[4]} ${m[5]}`
      fail(current)
    } else if (line.trim() !== '' && /^\s/.test(line) && current !== null) console.error(`      ${line.trim()}`)
    else if (line.trim() !== '') fail(line)
  }
}

if (failures > 0) {
  console.error(`doc examples: ${failures} problem(s) (${snippets.length} snippets, ${exportNames.length} exports; snippets in ${rel(outDir)})`)
  process.exit(1)
}
console.log(`doc examples: ${snippets.length} snippets compiled, ${exportNames.length} exports of src/index.ts each have an @example`)
