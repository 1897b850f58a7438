// Writes src/kinds/shapes.ts: the written lock interfaces of the member tables lockproof ships
// (docs/defining-kinds.md, "Cost"). `node scripts/kind-shapes.mjs` after changing a table below;
// type-tests/kinds-factory.test-d.ts checks each shape against the derivation of its kinds.
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const OUT = join(dirname(fileURLToPath(import.meta.url)), '../src/kinds/shapes.ts')

/** A table entry (kinds/spec.ts): a callback, a guard, or an annotated method (its form, and whether it is a guard). */
const cb = (v, m = 'write') => ({ table: 'methods', entry: [v, m] })
const guard = (v, m = 'write') => ({ table: 'guards', entry: [v, m] })
const ann = (form, v, m = 'write') => ({ table: 'annotated', entry: [v, m, form.replace(/-guard$/, ''), form.endsWith('-guard')] })

/**
 * Each shape: the kinds whose tables it is, its members' entries, whether its kinds `require` a
 * proof, and (where it has read entries outside `annotated`) the read rule its tags assume.
 */
const SHAPES = {
  spin: {
    of: '`raw_spinlock_t` and `spinlock_t`',
    members: {
      withLocked: cb('plain'),
      withLockedIrq: cb('irq'),
      withLockedIrqSave: cb('irqsave'),
      withLockedBh: cb('bh'),
      lock: guard('plain'),
      lockIrq: guard('irq'),
      lockIrqSave: guard('irqsave'),
      lockBh: guard('bh'),
      withTryLocked: ann('try', 'plain'),
      withTryLockedIrq: ann('try', 'irq'),
      withTryLockedIrqSave: ann('try', 'irqsave'),
      withTryLockedBh: ann('try', 'bh'),
      tryLock: ann('try-guard', 'plain'),
      tryLockIrq: ann('try-guard', 'irq'),
      tryLockIrqSave: ann('try-guard', 'irqsave'),
      tryLockBh: ann('try-guard', 'bh'),
      withLockedNested: ann('nested', 'plain'),
      withLockedIrqSaveNested: ann('nested', 'irqsave'),
      lockNested: ann('nested-guard', 'plain'),
      lockIrqSaveNested: ann('nested-guard', 'irqsave'),
      withLockedNestLock: ann('nest-lock', 'plain'),
      lockNestLock: ann('nest-lock-guard', 'plain'),
    },
  },
  rwlock: {
    of: '`rwlock_t` (reads recursive: `read_lock_is_recursive`)',
    readRecursion: 'read_lock_is_recursive',
    members: {
      withLocked: cb('plain'),
      withRead: cb('plain', 'read'),
      withWrite: cb('plain'),
      withReadIrq: cb('irq', 'read'),
      withWriteIrq: cb('irq'),
      withReadIrqSave: cb('irqsave', 'read'),
      withWriteIrqSave: cb('irqsave'),
      withReadBh: cb('bh', 'read'),
      withWriteBh: cb('bh'),
      lock: guard('plain'),
      read: guard('plain', 'read'),
      write: guard('plain'),
      readIrq: guard('irq', 'read'),
      writeIrq: guard('irq'),
      readIrqSave: guard('irqsave', 'read'),
      writeIrqSave: guard('irqsave'),
      readBh: guard('bh', 'read'),
      writeBh: guard('bh'),
      withTryRead: ann('try', 'plain', 'read'),
      withTryWrite: ann('try', 'plain'),
      tryRead: ann('try-guard', 'plain', 'read'),
      tryWrite: ann('try-guard', 'plain'),
      withTryWriteIrqSave: ann('try', 'irqsave'),
      tryWriteIrqSave: ann('try-guard', 'irqsave'),
    },
  },
  mutex: {
    of: '`mutex`',
    members: {
      withLocked: cb('plain'),
      lock: guard('plain'),
      withTryLocked: ann('try', 'plain'),
      tryLock: ann('try-guard', 'plain'),
      withLockedNested: ann('nested', 'plain'),
      lockNested: ann('nested-guard', 'plain'),
      withLockedNestLock: ann('nest-lock', 'plain'),
      lockNestLock: ann('nest-lock-guard', 'plain'),
    },
  },
  rwsem: {
    of: '`rw_semaphore` (reads typed as writes: `shared`)',
    readRecursion: 'shared',
    members: {
      withLocked: cb('plain'),
      withRead: cb('plain', 'read'),
      withWrite: cb('plain'),
      lock: guard('plain'),
      read: guard('plain', 'read'),
      write: guard('plain'),
      withTryRead: ann('try', 'plain', 'read'),
      withTryWrite: ann('try', 'plain'),
      tryRead: ann('try-guard', 'plain', 'read'),
      tryWrite: ann('try-guard', 'plain'),
      withReadNested: ann('nested', 'plain', 'read'),
      withWriteNested: ann('nested', 'plain'),
      readNested: ann('nested-guard', 'plain', 'read'),
      writeNested: ann('nested-guard', 'plain'),
    },
  },
  local: {
    of: '`local_lock_t` (per-CPU data)',
    members: {
      withLocked: cb('plain'),
      withLockedIrq: cb('irq'),
      withLockedIrqSave: cb('irqsave'),
      lock: guard('plain'),
      lockIrq: guard('irq'),
      lockIrqSave: guard('irqsave'),
    },
  },
  plain: {
    of: '`SpinLockIrq` and `SPIN_LOCK_IRQ_COUNTED` (a callback and a guard)',
    members: { withLocked: cb('plain'), lock: guard('plain') },
  },
  callback: {
    of: '`SPIN_LOCK_IRQ_SAVE` (a callback only)',
    members: { withLocked: cb('plain') },
  },
  requiring: {
    of: '`SPIN_LOCK_IRQ_V6` (a callback and a guard of a kind that `requires` a proof)',
    requiring: true,
    members: { withLocked: cb('plain'), lock: guard('plain') },
  },
  'try-plain': {
    of: '`BIT_SPIN_LOCK` (a callback, a guard and their trylocks)',
    members: { withLocked: cb('plain'), lock: guard('plain'), withTryLocked: ann('try', 'plain'), tryLock: ann('try-guard', 'plain') },
  },
  rt_mutex: {
    of: '`RT_MUTEX`',
    members: {
      withLocked: cb('plain'),
      withLockedInterruptible: cb('plain'),
      lock: guard('plain'),
      lockInterruptible: guard('plain'),
      withTryLocked: ann('try', 'plain'),
      tryLock: ann('try-guard', 'plain'),
      withLockedNested: ann('nested', 'plain'),
      lockNested: ann('nested-guard', 'plain'),
    },
  },
  'rw-plain': {
    of: '`PERCPU_RW_SEMAPHORE` (a read and a write side, reads typed as writes: `shared`, and the read trylock)',
    readRecursion: 'shared',
    members: {
      withRead: cb('plain', 'read'),
      withWrite: cb('plain'),
      read: guard('plain', 'read'),
      write: guard('plain'),
      withTryRead: ann('try', 'plain', 'read'),
      tryRead: ann('try-guard', 'plain', 'read'),
    },
  },
}

const TYPES = {
  locked: (v, m) => `Locked<K, N, '${v}', D, F${m === 'read' ? ", 'read'" : ''}>`,
  guarded: (v, m) => `Guarded<K, N, '${v}', D, F${m === 'read' ? ", 'read'" : ''}>`,
  'locked-requiring': (v, m) => `LockedRequiring<K, N, '${v}', D, F, '${m}'>`,
  'guarded-requiring': (v, m) => `GuardedRequiring<K, N, '${v}', D, F, '${m}'>`,
  try: (v) => `TryLocked<K, N, '${v}', D>`,
  'try-guard': (v) => `TryGuarded<K, N, '${v}', D>`,
  nested: (v) => `LockedNested<K, N, '${v}', D, F>`,
  'nested-guard': (v) => `GuardedNested<K, N, '${v}', D, F>`,
  'nest-lock': (v) => `LockedNestLock<K, N, '${v}', D, F>`,
  'nest-lock-guard': (v) => `GuardedNestLock<K, N, '${v}', D, F>`,
}

const DOCS = {
  locked: (v, m) => `The kind's \`${v}\` variant${m === 'read' ? ' for reading' : ''} around \`cb\`.`,
  guarded: (v, m) => `The kind's \`${v}\` variant${m === 'read' ? ' for reading' : ''} as a guard.`,
  'locked-requiring': (v) => `The kind's \`${v}\` variant around \`cb\`, from a context that proves what the kind \`requires\`.`,
  'guarded-requiring': (v) => `The kind's \`${v}\` variant as a guard, from a context that proves what the kind \`requires\`.`,
  try: (v) => `The kind's trylock, \`${v}\` variant, around \`cb\`.`,
  'try-guard': (v) => `The kind's trylock, \`${v}\` variant, as a guard (null: not taken).`,
  nested: (v) => `The kind's \`${v}\` variant under a lockdep subclass (\`_nested\`) around \`cb\`.`,
  'nested-guard': (v) => `The kind's \`${v}\` variant under a lockdep subclass (\`_nested\`) as a guard.`,
  'nest-lock': (v) => `The kind's \`${v}\` variant under a held nest lock (\`_nest_lock\`) around \`cb\`.`,
  'nest-lock-guard': (v) => `The kind's \`${v}\` variant under a held nest lock (\`_nest_lock\`) as a guard.`,
}

const pascal = (s) => s.replace(/(^|[-_])(\w)/g, (_, _s, c) => c.toUpperCase())
const of = (spec) => spec.of
const lit = (v) => (typeof v === 'string' ? `'${v}'` : String(v))

/** A member's tag, as kinds/derive.ts `MemberTags` computes it from the entry, `requires` and `readRecursion`. */
const tagOf = ({ table, entry }, shape) => {
  const [v, m, form, isGuard] = entry
  if (table === 'annotated') return { form: isGuard ? `${form}-guard` : form, v, m: 'write' }
  const typed = m === 'read' && shape.readRecursion === 'read_lock_is_recursive' ? 'read' : 'write'
  const base = table === 'methods' ? 'locked' : 'guarded'
  return { form: shape.requiring ? `${base}-requiring` : base, v, m: typed }
}

const out = []
out.push(`// generated by scripts/kind-shapes.mjs: do not edit (edit the script, run \`node scripts/kind-shapes.mjs\`)
/**
 * The written lock interfaces of the member tables lockproof ships: a defined kind whose tables
 * are one of these (a copy of a built-in's or a shipped kind's, \`...KIND_SPECS.mutex\`) gets its
 * locks from \`kernel.lockOf(kind)\` as one of these interfaces over its facts, instead of the
 * mapped type over its members (derive.ts \`Members\`), which TypeScript builds again for every
 * lock (docs/defining-kinds.md, "Cost"). Each is exactly that mapped type for a kind with its
 * tables (type-tests/kinds-factory.test-d.ts). Members are written out, not inherited: a base
 * interface is instantiated with the lock, a member only when it is used. A kind's shape is
 * found by comparing its spec's tables with each shape's (\`ShapeOf\`), not its computed member
 * tags: the tables are literal types, so comparing them instantiates next to nothing.
 */
import type { GuardedNested, GuardedNestLock, LockedNested, LockedNestLock, TryGuarded, TryLocked } from '../locks/annotated-api.js'
import type { Guarded, Locked } from '../locks/methods.js'
import type { GuardedRequiring, LockedRequiring } from './derive-requires.js'
import type { AnyKindFacts } from './facts.js'
import type { LockKindSpec, ReadRecursion } from './spec.js'

/** A shape's spec fields: its three tables, whether its kinds require a proof, the read rule its tags assume. */
interface ShapeTables {
  readonly methods: object
  readonly guards: object
  readonly annotated: object
  readonly requiring: boolean
  readonly readRecursion: ReadRecursion
}
`)
for (const [shape, spec] of Object.entries(SHAPES)) {
  const name = pascal(shape)
  const members = Object.entries(spec.members)
  const table = (t) => {
    const entries = members.filter(([, e]) => e.table === t)
    if (entries.length === 0) return 'Record<never, never>'
    return `{ ${entries.map(([m, e]) => `readonly ${m}: readonly [${e.entry.map(lit).join(', ')}]`).join('; ')} }`
  }
  out.push(`/** The spec fields of ${of(spec)} that decide its members' types. */
export interface ${name}Tables extends ShapeTables {
  readonly methods: ${table('methods')}
  readonly guards: ${table('guards')}
  readonly annotated: ${table('annotated')}
  readonly requiring: ${spec.requiring === true}
  readonly readRecursion: ${spec.readRecursion === undefined ? 'ReadRecursion' : `'${spec.readRecursion}'`}
}

/** A lock of a kind with the tables of ${of(spec)}: K its facts, N its class, D its data, F the classes declared after N. */
export interface ${name}Shape<K extends AnyKindFacts, N extends string, D, F extends string> {
  /** The lock kind, as the kernel names its type. */
  readonly kind: K['kind']
  /** The lock class. */
  readonly name: N
${members
  .map(([m, e]) => {
    const { form, v, m: mode } = tagOf(e, spec)
    return `  /** ${DOCS[form](v, mode)} */\n  readonly ${m}: ${TYPES[form](v, mode)}`
  })
  .join('\n')}
}
`)
}
const names = Object.keys(SHAPES)
out.push(`/** The shapes by name, K, N, D and F as in each: what \`kernel.lockOf()\` returns a lock of (kinds/factory.ts). */
export interface ShapeTable<K extends AnyKindFacts, N extends string, D, F extends string> {
${names.map((s) => `  readonly '${s}': ${pascal(s)}Shape<K, N, D, F>`).join('\n')}
}

/** A shape's name. */
export type ShapeName = keyof ShapeTable<AnyKindFacts, string, unknown, string>

/** true when A and B are the same table (each has every member of the other, with the same entry). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false

/** true when spec S has shape T's tables, requires a proof where T's kinds do, and reads as T's tags assume. */
type Is<S extends LockKindSpec, T extends ShapeTables> =
  Same<S['methods'], T['methods']> extends true
    ? Same<S['guards'], T['guards']> extends true
      ? Same<S['annotated'], T['annotated']> extends true
        ? (S['requires'] extends readonly [] ? false : true) extends T['requiring']
          ? S['readRecursion'] extends T['readRecursion']
            ? true
            : false
          : false
        : false
      : false
    : false

/** The shape of spec S's tables, or never: computed once per kind. */
export type ShapeOf<S extends LockKindSpec> =
${names.map((s) => `  Is<S, ${pascal(s)}Tables> extends true ? '${s}' :`).join('\n')}
  never
`)
writeFileSync(OUT, out.join('\n'))
// Formatted as the rest of the tree, so that `npx biome check .` passes on the written file.
const biome = spawnSync('npx', ['biome', 'format', '--write', OUT], { stdio: 'inherit' })
if (biome.status !== 0) process.exit(biome.status ?? 1)
console.log(`wrote ${OUT}`)
