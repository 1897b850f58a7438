/**
 * A checker of the Trace Event Format (the Chrome / Perfetto JSON trace, "Trace Event Format"
 * document by Google), field by field, plus what Perfetto's JSON importer needs
 * (src/trace_processor/importers/json/: no `\u` escapes, no `displayTimeUnit`, complete slices
 * properly nested per thread, async begin/end on the same (cat, id, name, pid), flows by id).
 * Returns every problem found; an empty list is a valid trace.
 */

type Json = string | number | boolean | null | Json[] | { [key: string]: Json }
type Obj = { [key: string]: Json }

const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const isInt = (v: Json | undefined): boolean => typeof v === 'number' && Number.isInteger(v)

/** A `\u` escape in raw JSON text: a backslash preceded by an even number of backslashes, then `u`. */
export const hasUnicodeEscape = (text: string): boolean => /(^|[^\\])(\\\\)*\\u/.test(text)

const PHASES = new Set(['B', 'E', 'X', 'i', 'I', 'C', 'b', 'n', 'e', 's', 't', 'f', 'M'])
const METADATA = new Set(['process_name', 'process_labels', 'process_sort_index', 'thread_name', 'thread_sort_index'])

export const checkTraceEventFormat = (text: string): string[] => {
  const problems: string[] = []
  if (hasUnicodeEscape(text)) problems.push('a \\u escape (Perfetto rejects it)')
  if (!/^[\n\x20-\x7e]*$/.test(text)) problems.push('a character outside printable ASCII')
  const top: Json = JSON.parse(text)
  if (!isObj(top)) return [...problems, 'not the object form']
  if ('displayTimeUnit' in top) problems.push('displayTimeUnit present (changes how Perfetto reads ts)')
  const events = top.traceEvents
  if (!Array.isArray(events)) return [...problems, 'no traceEvents array']
  const slices = new Map<string, { ts: number; end: number; name: string }[]>()
  const asyncOpen = new Map<string, number>()
  const flowStarts = new Map<string, number>()
  const points: { key: string; ts: number; what: string }[] = []
  events.forEach((ev, i) => {
    const at = `event ${i}`
    if (!isObj(ev)) {
      problems.push(`${at}: not an object`)
      return
    }
    const { name, ph, ts, pid, tid, args } = ev
    if (typeof name !== 'string' || name === '') problems.push(`${at}: name must be a non-empty string`)
    if (typeof ph !== 'string' || !PHASES.has(ph)) {
      problems.push(`${at}: unknown ph ${String(ph)}`)
      return
    }
    if (typeof ts !== 'number' || !Number.isFinite(ts) || ts < 0) problems.push(`${at}: ts must be a number ≥ 0 (µs)`)
    if (!isInt(pid) || !isInt(tid)) problems.push(`${at}: pid and tid must be integers`)
    if (args !== undefined && !isObj(args)) problems.push(`${at}: args must be an object`)
    if ('cat' in ev && typeof ev.cat !== 'string') problems.push(`${at}: cat must be a string`)
    const key = `${String(pid)}/${String(tid)}`
    const t = typeof ts === 'number' ? ts : 0
    switch (ph) {
      case 'X': {
        if (typeof ev.dur !== 'number' || ev.dur < 0) problems.push(`${at}: X needs dur ≥ 0`)
        const list = slices.get(key) ?? []
        list.push({ ts: t, end: t + (typeof ev.dur === 'number' ? ev.dur : 0), name: String(name) })
        slices.set(key, list)
        break
      }
      case 'b':
      case 'e': {
        if (typeof ev.id !== 'string' && typeof ev.id !== 'number') problems.push(`${at}: async ${ph} needs an id`)
        if (typeof ev.cat !== 'string') problems.push(`${at}: async ${ph} needs a cat (the id's scope)`)
        const akey = `${String(ev.cat)}|${String(ev.id)}|${String(name)}|${String(pid)}`
        if (ph === 'b') {
          if (asyncOpen.has(akey)) problems.push(`${at}: async id ${String(ev.id)} begun twice`)
          asyncOpen.set(akey, t)
        } else {
          const begun = asyncOpen.get(akey)
          if (begun === undefined) problems.push(`${at}: async end without its begin (cat, id, name, pid must match)`)
          else if (begun > t) problems.push(`${at}: async end before its begin`)
          asyncOpen.delete(akey)
        }
        break
      }
      case 's':
      case 'f': {
        if (typeof ev.id !== 'string' && typeof ev.id !== 'number') problems.push(`${at}: flow ${ph} needs an id`)
        if (typeof ev.cat !== 'string') problems.push(`${at}: flow ${ph} needs a cat`)
        const fkey = `${String(ev.cat)}|${String(ev.id)}|${String(name)}`
        if (ph === 's') flowStarts.set(fkey, t)
        else {
          const start = flowStarts.get(fkey)
          if (start === undefined) problems.push(`${at}: flow end without its start (cat, id, name must match)`)
          else if (start > t) problems.push(`${at}: flow ends before it starts`)
          if ('bp' in ev && ev.bp !== 'e') problems.push(`${at}: bp must be "e"`)
        }
        points.push({ key, ts: t, what: `${at}: flow ${ph}` })
        break
      }
      case 'i':
      case 'I':
        if (ev.s !== undefined && ev.s !== 'g' && ev.s !== 'p' && ev.s !== 't') problems.push(`${at}: instant scope s must be g, p or t`)
        break
      case 'C':
        if (!isObj(args) || Object.keys(args).length === 0) problems.push(`${at}: a counter needs its series in args`)
        else for (const [k, v] of Object.entries(args)) if (typeof v !== 'number') problems.push(`${at}: counter series ${k} is not a number`)
        break
      case 'M':
        if (!METADATA.has(String(name))) problems.push(`${at}: unknown metadata ${String(name)}`)
        if (!isObj(args)) problems.push(`${at}: metadata needs args`)
        else if (String(name).endsWith('_name') && typeof args.name !== 'string') problems.push(`${at}: ${String(name)} needs args.name`)
        else if (String(name).endsWith('_sort_index') && !isInt(args.sort_index)) problems.push(`${at}: ${String(name)} needs args.sort_index`)
        break
    }
  })
  for (const k of asyncOpen.keys()) problems.push(`async slice ${k} never ends`)
  // Complete slices on one thread must nest: sorted by start (longer first), each inside the open one.
  for (const [key, list] of slices) {
    const sorted = [...list].sort((a, b) => a.ts - b.ts || b.end - a.end)
    const stack: { ts: number; end: number; name: string }[] = []
    for (const s of sorted) {
      while (stack.length > 0 && (stack.at(-1)?.end ?? 0) <= s.ts && !((stack.at(-1)?.end ?? 0) === s.ts && s.end === s.ts)) stack.pop()
      const parent = stack.at(-1)
      if (parent !== undefined && s.end > parent.end)
        problems.push(`thread ${key}: '${s.name}' [${s.ts}, ${s.end}] overlaps '${parent.name}' [${parent.ts}, ${parent.end}] without nesting`)
      stack.push(s)
    }
  }
  // A flow binds to the slice enclosing it on its thread.
  for (const p of points) {
    if (!(slices.get(p.key) ?? []).some((s) => s.ts <= p.ts && p.ts <= s.end)) problems.push(`${p.what} is in no slice of its thread`)
  }
  return problems
}
