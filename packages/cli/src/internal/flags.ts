/**
 * The CLI's flags, each declared once: the `@effect/cli` `Options` that
 * parses it (with its real type: `Options.choice`, `Options.integer`, …)
 * and what the help, the argument check (`argv.ts`) and the typo
 * suggestions need to know about it. The value shown in the help
 * (`open|closed_resolved|closed_unresolved`, `INTEGER`, `FILE`) is read from
 * the `Options`' own help, so that it is the type `@effect/cli` parses.
 *
 * @internal
 */
import * as Args from "@effect/cli/Args"
import * as HelpDoc from "@effect/cli/HelpDoc"
import type * as Span from "@effect/cli/HelpDoc/Span"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Option from "effect/Option"
import * as Dates from "./dates.js"

/** The sections of a command's help, in this order. */
export const groups = [
  "Filters",
  "Session",
  "Contact",
  "Message",
  "Custom data",
  "Output",
  "Counting",
  "Database",
  "Connection",
  "Server",
  "Progress and logs",
  "Logs",
  "Global"
] as const
export type Group = (typeof groups)[number]

export interface Flag<A> {
  /** `status` (typed `--status`) */
  readonly name: string
  /** `o` (typed `-o`), if any */
  readonly alias: string | undefined
  /** the value as the help shows it (`open|closed`, `INTEGER`, `FILE`); undefined for a switch */
  readonly value: string | undefined
  readonly description: string
  /** the default, as the help shows it */
  readonly defaultText: string | undefined
  readonly group: Group
  /** the values it takes, when it takes only a few (for suggestions) */
  readonly choices: ReadonlyArray<string> | undefined
  /**
   * checks a value before `@effect/cli` parses it: what is wrong (a message
   * naming the flag), or undefined
   */
  readonly check: (value: string) => string | undefined
  /** left out of the help (the rarely used built-ins of `@effect/cli`) */
  readonly hidden: boolean
  /** the command needs it: a flag with a value, neither optional nor with a default */
  readonly required: boolean
  readonly options: Options.Options<A>
}

/** A flag of any type (a command's list of flags). */
export type Any = Flag<unknown>

interface Spec {
  readonly description: string
  readonly group: Group
  readonly alias?: string | undefined
}

const spanText = (span: Span.Span): string => {
  switch (span._tag) {
    case "Text":
    case "URI":
      return span.value
    case "Sequence":
      return spanText(span.left) + spanText(span.right)
    case "Highlight":
    case "Strong":
    case "Weak":
      return spanText(span.value)
  }
}

/**
 * The value of an option as its own help shows it (`--status open | closed`,
 * `(-o, --output FILE)`, `--limit integer`), without the names:
 * `open|closed`, `FILE`, `INTEGER`.
 */
export const valueOf = <A>(options: Options.Options<A>): string | undefined => {
  if (Options.isBool(options)) return undefined
  const help = Options.getHelp(options)
  if (!HelpDoc.isDescriptionList(help)) return undefined
  const head = spanText(help.definitions[0][0]).replace(/^\(|\)$/g, "")
  const value = head.split(" ").filter((word) => word !== "" && !word.startsWith("-")).join(" ").replace(/ \| /g, "|")
  return /^[a-z]+$/.test(value) ? value.toUpperCase() : value
}

const invalid = (message: string) => ValidationError.invalidValue(HelpDoc.p(message))

const make = <A>(
  options: Options.Options<A>,
  name: string,
  spec: Spec,
  extra: {
    readonly choices?: ReadonlyArray<string> | undefined
    readonly check?: ((value: string) => string | undefined) | undefined
    readonly hidden?: boolean | undefined
  } = {}
): Flag<A> => {
  const described = Options.withDescription(
    spec.alias === undefined ? options : Options.withAlias(options, spec.alias),
    spec.description
  )
  return {
    name,
    alias: spec.alias,
    value: valueOf(described),
    description: spec.description,
    defaultText: undefined,
    group: spec.group,
    choices: extra.choices,
    check: extra.check ?? (() => undefined),
    hidden: extra.hidden ?? false,
    required: !Options.isBool(described),
    options: described
  }
}

/** One of `values` (`Options.choice`). */
export const choice = <const A extends string>(
  name: string,
  values: readonly [A, ...Array<A>],
  spec: Spec & { readonly hidden?: boolean }
): Flag<A> =>
  make(Options.choice(name, values), name, spec, {
    choices: values,
    hidden: spec.hidden,
    check: (value) =>
      values.some((v) => v === value)
        ? undefined
        : `Invalid --${name}: expected one of ${values.join(", ")}, got ${JSON.stringify(value)}`
  })

/** what is wrong with an integer of `min` to `max` given to `--name`, or undefined */
const integerIssue = (name: string, min: number, max: number | undefined, value: string | number) => {
  const n = typeof value === "number" ? value : /^\s*-?\d+\s*$/.test(value) ? Number(value) : Number.NaN
  const expected = max === undefined ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`
  return Number.isSafeInteger(n) && n >= min && (max === undefined || n <= max)
    ? undefined
    : `Invalid --${name}: expected ${expected}, got ${JSON.stringify(value)}`
}

/**
 * A whole number of at least `min` (and at most `max`) (`Options.integer`),
 * shown as `INTEGER`, or as its unit (`SECONDS`) when it has one.
 */
export const integer = (
  name: string,
  bounds: { readonly min: number; readonly max?: number | undefined; readonly unit?: string | undefined },
  spec: Spec
): Flag<number> =>
  make(
    Options.integer(name).pipe(
      (options) => (bounds.unit === undefined ? options : Options.withPseudoName(options, bounds.unit)),
      Options.mapEffect((n) => {
        const issue = integerIssue(name, bounds.min, bounds.max, n)
        return issue === undefined ? Effect.succeed(n) : Effect.fail(invalid(issue))
      })
    ),
    name,
    spec,
    { check: (value) => integerIssue(name, bounds.min, bounds.max, value) }
  )

/** Any text, shown as `pseudoName` (`FILE`, `URL`). */
export const text = (name: string, pseudoName: string, spec: Spec): Flag<string> =>
  make(Options.text(name).pipe(Options.withPseudoName(pseudoName)), name, spec)

/** A file that may exist (`Options.file`). */
export const file = (name: string, spec: Spec): Flag<string> =>
  make(Options.file(name).pipe(Options.withPseudoName("FILE")), name, spec)

/** A date, ISO 8601 or relative to now (see `dates.ts`), shown as `DATE`. */
export const date = (name: string, spec: Spec): Flag<Dates.DateInput> =>
  make(
    Options.text(name).pipe(
      Options.withPseudoName("DATE"),
      Options.mapEffect((text) => Effect.mapError(Dates.parse(text), (issue) => invalid(`Invalid --${name}: ${issue}`)))
    ),
    name,
    spec,
    {
      check: (value) =>
        Either.match(Dates.parseAt(value, 0), { onLeft: (issue) => `Invalid --${name}: ${issue}`, onRight: () => undefined })
    }
  )

/** A switch: present or not (`Options.boolean`). */
export const toggle = (name: string, spec: Spec & { readonly hidden?: boolean }): Flag<boolean> =>
  make(Options.boolean(name), name, spec, { hidden: spec.hidden })

/** The flag may be left out. */
export const optional = <A>(flag: Flag<A>): Flag<Option.Option<A>> => ({
  ...flag,
  required: false,
  options: Options.optional(flag.options)
})

/** The flag may be left out, for `value` (shown in the help as `shown`). */
export const withDefault = <A, const B extends A>(flag: Flag<A>, value: B, shown: string = String(value)): Flag<A> => ({
  ...flag,
  required: false,
  defaultText: shown,
  options: Options.withDefault(flag.options, value)
})

/**
 * The flag may be given several times (`Options.repeated`): every value, in
 * the order given. The help shows it as `--attach URL...`.
 */
export const repeated = <A>(flag: Flag<A>): Flag<ReadonlyArray<A>> => {
  const options = Options.repeated(flag.options)
  return { ...flag, value: valueOf(options), required: false, options }
}

/**
 * A positional argument (`opencx sessions history ID`): its name as the
 * help and the messages show it, what it is, what is wrong with a value
 * (checked before `@effect/cli` parses it, as a flag's value is), and the
 * `Args` that parses it.
 */
export interface Argument {
  /** `ID` */
  readonly name: string
  readonly description: string
  /** what is wrong with a value (a message naming the argument), or undefined */
  readonly check: (value: string) => string | undefined
  readonly args: Args.Args<string>
}

/** A positional text argument. */
export const argument = (
  name: string,
  description: string,
  check: (value: string) => string | undefined = () => undefined
): Argument => ({ name, description, check, args: Args.text({ name }) })

/** The `Options` of a record of flags, for `Command.make`. */
export const options = <F extends Readonly<Record<string, Any>>>(
  flags: F
): { readonly [K in keyof F]: F[K]["options"] } => {
  const result: Record<string, Options.Options<unknown>> = {}
  for (const [key, flag] of Object.entries(flags)) result[key] = flag.options
  // the boundary: Object.entries forgets the keys' types; each value is the flag's own options
  return result as { readonly [K in keyof F]: F[K]["options"] }
}

/** The names a flag is typed with: `--output`, `-o`. */
export const namesOf = (flag: Any): ReadonlyArray<string> =>
  flag.alias === undefined ? [`--${flag.name}`] : [`--${flag.name}`, `-${flag.alias}`]
