/** The bundle's `// src/…` markers (esbuild, unminified): which source file each bundle line came from. */
export const sourcesOf = (bundle: string): ((line: number) => string) => {
  const marks: { line: number; file: string }[] = []
  bundle.split('\n').forEach((l, i) => {
    const m = /^\/\/ ((?:src|bench|node_modules)\/\S+)$/.exec(l)
    if (m?.[1] !== undefined) marks.push({ line: i + 1, file: m[1] })
  })
  return (line) => {
    let file = '?'
    for (const m of marks) if (m.line <= line) file = m.file
    return file
  }
}
