/**
 * The help of a command (`--help`, `-h`), rendered from the command tree
 * and its flags (see `flags.ts`): what it does, its usage line, its
 * commands or its flags by section, each flag's value as `@effect/cli`
 * parses it and its default, then a few examples. Compact: one line per flag
 * where it fits, lines wrapped at the terminal's width (at most 100
 * columns), no padding. Bold headings only on a terminal that takes colour.
 *
 * @internal
 */
import type * as Argv from "./argv.js"
import * as Flags from "./flags.js"
import * as Terminal from "./terminal.js"

/** the widest the help gets */
const maxWidth = 100
/** the flag column is at most this wide; a longer flag has its description on the next line */
const maxColumn = 30

/** words of `text` in lines of at most `width` characters */
export const wrap = (text: string, width: number): Array<string> => {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line === "") line = word
    else if (line.length + 1 + word.length <= width) line += ` ${word}`
    else {
      lines.push(line)
      line = word
    }
  }
  if (line !== "") lines.push(line)
  return lines
}

/** `-o, --output FILE` */
export const flagHead = (flag: Flags.Any): string => {
  const names = flag.alias === undefined ? `--${flag.name}` : `-${flag.alias}, --${flag.name}`
  return flag.value === undefined ? names : `${names} ${flag.value}`
}

const describeFlag = (flag: Flags.Any) =>
  flag.defaultText !== undefined
    ? `${flag.description} (default: ${flag.defaultText})`
    : flag.required
    ? `${flag.description} (required)`
    : flag.description

/** the width of the left column: its widest cell that is not over maxColumn */
const columnOf = (cells: ReadonlyArray<string>) => Math.max(0, ...cells.map((cell) => cell.length).filter((n) => n <= maxColumn))

/** rows of two columns, the left one `column` wide (a longer cell has its text on the next line), descriptions wrapped */
const table = (
  rows: ReadonlyArray<readonly [string, string]>,
  column: number,
  width: number,
  style: (text: string) => string
) => {
  const lines: Array<string> = []
  for (const [left, right] of rows) {
    const indent = 2 + column + 2
    const text = wrap(right, Math.max(20, width - indent))
    if (left.length > column) {
      lines.push(`  ${style(left)}`)
      for (const line of text) lines.push(`${" ".repeat(indent)}${line}`)
    } else {
      lines.push(`  ${style(left)}${" ".repeat(column - left.length + 2)}${text[0] ?? ""}`.trimEnd())
      for (const line of text.slice(1)) lines.push(`${" ".repeat(indent)}${line}`)
    }
  }
  return lines
}

/** every command under `node` that runs (has no subcommands), with its path from `node` */
const leaves = (node: Argv.Node, prefix: ReadonlyArray<string>): Array<readonly [string, Argv.Node]> =>
  node.subcommands.flatMap((sub) =>
    sub.subcommands.length === 0
      ? [[[...prefix, sub.name].join(" "), sub] as const]
      : leaves(sub, [...prefix, sub.name])
  )

/**
 * The help of the last command of `path`, as lines of text (without a
 * final newline); `stream` says whether it may be bold and how wide.
 */
export const render = (tree: Argv.Tree, path: ReadonlyArray<Argv.Node>, stream: Terminal.Stream): Array<string> => {
  const node = path[path.length - 1]!
  const name = path.map((n) => n.name).join(" ")
  const width = Math.min(maxWidth, stream.columns ?? maxWidth)
  const heading = (text: string) => Terminal.bold(stream.color)(text)
  const lines: Array<string> = [...wrap(node.description, width), ""]
  if (node.subcommands.length > 0) {
    lines.push(`${heading("Usage:")} ${name} <command> [flags]`, "", heading("Commands:"))
    const commands = leaves(node, []).map(([command, leaf]) => [command, leaf.description] as const)
    lines.push(...table(commands, columnOf(commands.map(([command]) => command)), width, (t) => t))
  } else {
    lines.push(`${heading("Usage:")} ${[name, ...node.args.map((a) => a.name)].join(" ")} [flags]`)
  }
  const flags = [...node.flags, ...tree.globals].filter((flag) => !flag.hidden)
  const column = columnOf([...flags.map(flagHead), ...node.args.map((a) => a.name)])
  if (node.args.length > 0) {
    lines.push("", heading("Arguments:"))
    lines.push(...table(node.args.map((a) => [a.name, a.description]), column, width, (t) => t))
  }
  for (const group of Flags.groups) {
    const inGroup = flags.filter((flag) => flag.group === group)
    if (inGroup.length === 0) continue
    lines.push("", heading(`${group === "Global" ? "Global flags" : group}:`))
    lines.push(...table(inGroup.map((flag) => [flagHead(flag), describeFlag(flag)]), column, width, (t) => t))
  }
  for (const note of node.notes) lines.push("", ...wrap(note, width))
  if (node.subcommands.length > 0) lines.push("", `Run \`${name} <command> --help\` for the flags of a command.`)
  if (node.examples.length > 0) {
    lines.push("", heading("Examples:"))
    for (const [command, what] of node.examples) {
      lines.push(...wrap(what, width - 2).map((line) => `  ${Terminal.dim(stream.color)(`# ${line}`)}`), `  ${command}`)
    }
  }
  return lines
}
