/**
 * The command line, read against the command tree before `@effect/cli`
 * parses it: which command it names, whether it asks for help, and the first
 * thing wrong with it, said the way a person needs it: the unknown command
 * or flag with the nearest known one (`did you mean \`export\`?`), the flag
 * whose value is wrong, named. `@effect/cli` then parses only a command line
 * that is right, so that its own messages (which name neither the flag nor a
 * suggestion) are seldom seen.
 *
 * @internal
 */
import type * as Flags from "./flags.js"


/**
 * A word typed on the command line, to echo in a message: a URL's password
 * (a database or Redis URL given without its flag) shown as `***`.
 */
const shown = (word: string): string => word.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@\s]*@/i, "$1:***@")

/** A command of the tree: its flags, its subcommands, and what its help shows. */
export interface Node {
  readonly name: string
  /** one line */
  readonly description: string
  readonly flags: ReadonlyArray<Flags.Any>
  /** its positional arguments, in order (`ID`); a command with subcommands has none */
  readonly args: ReadonlyArray<Flags.Argument>
  readonly subcommands: ReadonlyArray<Node>
  /** two or three command lines, each with what it does */
  readonly examples: ReadonlyArray<readonly [command: string, what: string]>
  /** short paragraphs after the flags */
  readonly notes: ReadonlyArray<string>
}

export interface Tree {
  readonly root: Node
  /** flags every command takes (`--log-level`, `--help`, `--version`) */
  readonly globals: ReadonlyArray<Flags.Any>
}

export interface Analysis {
  /** the commands named, from the root: [opencx, sessions, export] */
  readonly path: ReadonlyArray<Node>
  /** `--help` or `-h` was given */
  readonly help: boolean
  /** the first thing wrong with the command line, if any */
  readonly problem: string | undefined
  /** the values given, by flag name (the last one given) */
  readonly values: ReadonlyMap<string, string>
  /**
   * the arguments for `@effect/cli`: `--log-level`, which it takes only
   * before the commands, moved there (it is taken anywhere here)
   */
  readonly normalized: ReadonlyArray<string>
}

/** the command as typed: `opencx sessions export` */
export const commandName = (path: ReadonlyArray<Node>): string => path.map((node) => node.name).join(" ")

/**
 * The optimal string alignment distance: insertions, deletions,
 * substitutions and transpositions of two neighbours (`exprot` is 1 from
 * `export`).
 */
export const distance = (a: string, b: string): number => {
  const rows = a.length + 1
  const cols = b.length + 1
  const d: Array<Array<number>> = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1)
      d[i]![j] = best
    }
  }
  return d[a.length]![b.length]!
}

/**
 * The known word nearest to `typed`, when it is near enough to be what was
 * meant: one edit for short words, two for longer ones, or the only word
 * that starts with what was typed.
 */
export const suggest = (typed: string, known: ReadonlyArray<string>): string | undefined => {
  const lower = typed.toLowerCase()
  const prefixed = known.filter((word) => lower.length >= 3 && word.toLowerCase().startsWith(lower))
  if (prefixed.length === 1) return prefixed[0]
  let best: string | undefined
  let bestDistance = Infinity
  for (const word of known) {
    const d = distance(lower, word.toLowerCase())
    if (d < bestDistance) {
      best = word
      bestDistance = d
    }
  }
  const core = lower.replace(/^-+/, "")
  return bestDistance <= (core.length <= 4 ? 1 : 2) ? best : undefined
}

/** `true`, `false` and their other spellings, which a switch takes as its value (as `@effect/cli` does) */
const switchValues = new Set(["true", "1", "y", "yes", "on", "false", "0", "n", "no", "off"])

const flagsOf = (node: Node, tree: Tree) => [...node.flags, ...tree.globals]

const find = (flags: ReadonlyArray<Flags.Any>, typed: string) =>
  flags.find((flag) => typed === `--${flag.name}` || (flag.alias !== undefined && typed === `-${flag.alias}`))

/** every command under `node` that has a flag typed `typed`, as typed */
const commandsWith = (node: Node, path: ReadonlyArray<Node>, typed: string): Array<string> => {
  const here = [...path, node]
  return [
    ...(find(node.flags, typed) === undefined ? [] : [commandName(here)]),
    ...node.subcommands.flatMap((sub) => commandsWith(sub, here, typed))
  ]
}

/** what a command takes, for a message about an argument too many */
const takes = (node: Node) =>
  node.args.length === 0
    ? "it takes flags only"
    : `it takes ${node.args.map((a) => a.name).join(" ")} and flags only`

const helpHint = (path: ReadonlyArray<Node>) => `Run \`${commandName(path)} --help\` for its usage.`

/** Reads `args` (without the executable) against the tree. */
export const analyse = (tree: Tree, args: ReadonlyArray<string>): Analysis => {
  const path: Array<Node> = [tree.root]
  const values = new Map<string, string>()
  /** the positions of `--log-level` and its value */
  const hoisted = new Set<number>()
  let help = false
  let problem: string | undefined
  const fail = (message: string) => {
    problem ??= `${message}\n${helpHint(path)}`
  }
  let stopped = false
  /** the positional arguments given to the command, so far */
  let positionals = 0
  /** a word for the command's next positional argument: true when it takes one */
  const positional = (node: Node, word: string): boolean => {
    const argument = node.args[positionals]
    if (argument === undefined) return false
    positionals++
    const issue = argument.check(word)
    if (issue !== undefined) fail(issue)
    return true
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    const node = path[path.length - 1]!
    if (arg === "--help" || arg === "-h") {
      help = true
      continue
    }
    if (stopped) continue
    if (arg === "--") {
      // what follows is positional arguments, even when it starts with - (an id such as -abc)
      const rest = args.slice(i + 1).filter((word) => word !== "--help" && word !== "-h")
      const extra = rest.find((word) => !positional(node, word))
      if (extra !== undefined) {
        fail(`unexpected argument \`${shown(extra)}\` for \`${commandName(path)}\`: ${takes(node)}`)
      }
      stopped = true
      continue
    }
    if (arg.startsWith("-") && arg !== "-") {
      const equals = arg.startsWith("--") ? arg.indexOf("=") : -1
      const typed = equals === -1 ? arg : arg.slice(0, equals)
      const inline = equals === -1 ? undefined : arg.slice(equals + 1)
      const flags = flagsOf(node, tree)
      const flag = find(flags, typed)
      if (flag === undefined) {
        const nearest = suggest(typed, flags.filter((f) => !f.hidden).flatMap((f) => [`--${f.name}`]))
        const elsewhere = commandsWith(tree.root, [], typed).filter((name) => name !== commandName(path))
        fail(
          nearest !== undefined
            ? `unknown flag \`${typed}\` for \`${commandName(path)}\`: did you mean \`${nearest}\`?`
            : elsewhere.length > 0
            ? `\`${typed}\` is a flag of ${elsewhere.map((name) => `\`${name}\``).join(" and ")}, not of \`${commandName(path)}\``
            : `unknown flag \`${typed}\` for \`${commandName(path)}\``
        )
        // its value, if it has one, must not be read as a command
        if (inline === undefined && i + 1 < args.length && !args[i + 1]!.startsWith("-")) i++
        continue
      }
      if (flag.value === undefined) {
        if (inline !== undefined && !switchValues.has(inline.toLowerCase())) {
          fail(`\`--${flag.name}\` is a switch: it takes no value (got ${JSON.stringify(inline)})`)
        } else if (inline === undefined && i + 1 < args.length && switchValues.has(args[i + 1]!.toLowerCase())) {
          i++
        }
        values.set(flag.name, inline ?? "true")
        continue
      }
      const value = inline ?? args[i + 1]
      if (flag.name === "log-level") {
        hoisted.add(i)
        if (inline === undefined) hoisted.add(i + 1)
      }
      if (inline === undefined) i++
      if (value === undefined) {
        fail(`\`${typed}\` needs a value (${flag.value})`)
        continue
      }
      const issue = flag.check(value)
      if (issue !== undefined) {
        const nearest = flag.choices === undefined ? undefined : suggest(value, flag.choices)
        fail(nearest === undefined ? issue : `${issue}: did you mean \`${nearest}\`?`)
      }
      values.set(flag.name, value)
      continue
    }
    // a word: a subcommand, or a mistake
    if (node.subcommands.length > 0) {
      const sub = node.subcommands.find((s) => s.name === arg)
      if (sub !== undefined) {
        path.push(sub)
        continue
      }
      const nearest = suggest(arg, node.subcommands.map((s) => s.name))
      fail(
        `unknown command \`${arg}\` for \`${commandName(path)}\`: ${
          nearest === undefined
            ? `the commands are ${node.subcommands.map((s) => `\`${s.name}\``).join(", ")}`
            : `did you mean \`${nearest}\`?`
        }`
      )
      stopped = true
      continue
    }
    if (positional(node, arg)) continue
    const asFlag = suggest(`--${arg}`, node.flags.map((f) => `--${f.name}`))
    fail(
      `unexpected argument \`${shown(arg)}\` for \`${commandName(path)}\`${
        asFlag === undefined ? `: ${takes(node)}` : `: did you mean \`${asFlag}\`?`
      }`
    )
  }
  const last = path[path.length - 1]!
  const missing = last.args[positionals]
  if (!help && problem === undefined && missing !== undefined) {
    fail(`\`${commandName(path)}\` needs ${missing.name}: ${missing.description}`)
  }
  const absent = last.flags.find((flag) => flag.required && !values.has(flag.name))
  if (!help && problem === undefined && absent !== undefined) {
    fail(`\`${commandName(path)}\` needs \`--${absent.name} ${absent.value}\`: ${absent.description}`)
  }
  if (!help && problem === undefined && last.subcommands.length > 0 && !values.has("version") && !values.has("wizard") && !values.has("completions")) {
    fail(
      `\`${commandName(path)}\` needs a command: ${last.subcommands.map((s) => `\`${s.name}\``).join(", ")}`
    )
  }
  const level = values.get("log-level")
  const normalized = [
    ...(level === undefined ? [] : ["--log-level", level]),
    ...args.filter((_, i) => !hoisted.has(i))
  ]
  return { path, help, problem, values, normalized }
}
