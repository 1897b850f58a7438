/** Where the CLI reads and writes (the process's, or a test's), and its exit statuses. */
export interface CliIo {
  readonly cwd: string
  readonly out: (text: string) => void
  readonly err: (text: string) => void
  /** stderr is a terminal: progress is one line rewritten in place. */
  readonly errIsTTY?: boolean
}

/** Nothing was found. */
export const EXIT_CLEAN = 0
/** A diagnostic or a counterexample was found. */
export const EXIT_FOUND = 1
/** A usage error, or a model that could not be loaded, was refused or threw something else. */
export const EXIT_USAGE = 2

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/** An error as one line for stderr: a named error with its name (ReplayError: …). */
export const errorText = (e: unknown): string =>
  e instanceof Error
    ? e.name === 'Error' || e.name === 'ModelError' || e.name === 'ModelLoadError' || e.name === 'OutputError'
      ? e.message
      : `${e.name}: ${e.message}`
    : String(e)

/** A replay whose choices do not fit this model's: with the same declarations, the likely cause is an option given otherwise than when it was recorded. */
const REPLAY_HINT = ' (the options that change what runs, --no-lockdep and --irq-arrivals, must be given as when it was recorded)'

/** Why a model could not be run, as one stderr line: the model's path, then what went wrong. */
export const modelFailureText = (model: string, e: unknown): string => {
  if (e instanceof Error && e.name === 'ModelError') return `${model} ${e.message}`
  if (e instanceof Error && e.name === 'ModelLoadError') return e.message
  const hint = e instanceof Error && e.name === 'ReplayError' && e.message.includes('replayed schedule') ? REPLAY_HINT : ''
  return `${model}: ${errorText(e)}${hint}`
}
