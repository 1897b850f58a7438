#!/usr/bin/env node
// The published README is read on the npm package page, which resolves no relative link: every
// link must be absolute, and a link into the package itself (unpkg, this version) must name a
// file the packed package contains.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(fileURLToPath(import.meta.url), '../..')
const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const readme = readFileSync(join(root, 'README.md'), 'utf8')
// What `npm pack` would put in the tarball.
const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }))
const packed = new Set(pack.files.map((f) => f.path))

const prefix = `https://unpkg.com/${name}@${version}/`
const problems = []
let links = 0
let inPackage = 0
for (const [, target] of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
  links++
  if (!/^https?:\/\//.test(target)) problems.push(`relative link (broken on the npm page): ${target}`)
  else if (target.startsWith(`https://unpkg.com/${name}@`) && !target.startsWith(prefix)) problems.push(`link to another version than ${version}: ${target}`)
  else if (target.startsWith(prefix)) {
    inPackage++
    if (!packed.has(target.slice(prefix.length).split('#')[0])) problems.push(`link to a file the package does not contain: ${target}`)
  }
}
if (links === 0) problems.push('no links found')
for (const p of problems) console.error(`  ✗ ${p}`)
if (problems.length > 0) process.exit(1)
console.log(`✓ README: ${links} links, all absolute; the ${inPackage} into the package name packed files`)
