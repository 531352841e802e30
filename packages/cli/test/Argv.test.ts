/**
 * The command line read against the command tree: the command it names,
 * help, and the first thing wrong with it, with the nearest known word.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Cli from "../src/Cli.js"
import * as Argv from "../src/internal/argv.js"
import * as Flags from "../src/internal/flags.js"

const analyse = (line: string) => Argv.analyse(Cli.tree, line === "" ? [] : line.split(" "))
const names = (analysis: Argv.Analysis) => analysis.path.map((node) => node.name)

describe("suggestions", () => {
  it.each([
    ["exprot", ["export", "stats"], "export"],
    ["stast", ["export", "stats"], "stats"],
    ["--stauts", ["--status", "--channel", "--since"], "--status"],
    ["--chanel", ["--status", "--channel"], "--channel"],
    ["--out", ["--output", "--limit"], "--output"],
    ["--xyz", ["--status", "--channel"], undefined],
    ["fake", ["sessions", "fake-server"], "fake-server"],
    ["delete", ["export", "stats"], undefined]
  ] as const)("%s among %j: %s", (typed, known, nearest) => {
    expect(Argv.suggest(typed, known)).toBe(nearest)
  })

  it("counts a swap of neighbours as one edit", () => {
    expect(Argv.distance("exprot", "export")).toBe(1)
    expect(Argv.distance("stauts", "status")).toBe(1)
    expect(Argv.distance("kitten", "sitting")).toBe(3)
  })
})

describe("analyse", () => {
  it("finds the command, its values and help", () => {
    const ok = analyse("sessions export --status open -o out.ndjson --limit=5 --quiet")
    expect(names(ok)).toEqual(["opencx", "sessions", "export"])
    expect(ok.problem).toBeUndefined()
    expect(ok.values.get("limit")).toBe("5")
    expect(ok.values.get("output")).toBe("out.ndjson")
    expect(analyse("sessions stats --help").help).toBe(true)
    expect(analyse("sessions exprot -h").help).toBe(true) // help wins over the typo
    expect(analyse("--log-level debug sessions export").problem).toBeUndefined()
    expect(analyse("sessions export --log-level debug").problem).toBeUndefined()
    // @effect/cli takes --log-level before the commands only: it is moved there
    expect(analyse("sessions export -q --log-level debug --limit 5").normalized)
      .toEqual(["--log-level", "debug", "sessions", "export", "-q", "--limit", "5"])
    expect(analyse("sessions export --log-level=info").normalized).toEqual(["--log-level", "info", "sessions", "export"])
  })

  it.each([
    ["sessions exprot", "unknown command `exprot` for `opencx sessions`: did you mean `export`?"],
    ["sessions export --stauts open", "unknown flag `--stauts` for `opencx sessions export`: did you mean `--status`?"],
    ["sessions stats --output x", "`--output` is a flag of `opencx sessions export` and `opencx sessions history`, not of `opencx sessions stats`"],
    ["sessions export --status archived", `Invalid --status: expected one of open, closed_resolved, closed_unresolved, got "archived"`],
    ["sessions export --status opne", "did you mean `open`?"],
    ["sessions export --format xml", "Invalid --format"],
    ["sessions export --limit", "`--limit` needs a value (INTEGER)"],
    ["sessions export --limit ten", `Invalid --limit: expected an integer of at least 1, got "ten"`],
    ["sessions export --created-after someday", "Invalid --created-after: expected an ISO 8601 date"],
    ["sessions export status open", "unexpected argument `status` for `opencx sessions export`: did you mean `--status`?"],
    ["sessions export --quiet=maybe", "`--quiet` is a switch: it takes no value"],
    ["fake-server --port 99999", `Invalid --port: expected an integer from 0 to 65535, got "99999"`],
    ["sessions", "`opencx sessions` needs a command: `export`, `sync`, `stats`"],
    ["", "`opencx` needs a command: `sessions`, `fake-server`"]
  ])("%j: %s", (line, message) => {
    const { problem } = analyse(line)
    expect(problem).toContain(message)
    expect(problem).toMatch(/\nRun `opencx[a-z -]*--help` for its usage\.$/)
  })

  it.each([
    "sessions sync postgres://sync:S3cretPw@db.internal/support",
    "sessions export -- redis://:S3cretPw@redis.internal:6379"
  ])("a URL typed without its flag is echoed without its password: %s", (line) => {
    const { problem } = analyse(line)
    expect(problem).toMatch(/unexpected argument `(postgres:\/\/sync|redis:\/\/):\*\*\*@/)
    expect(problem).not.toContain("S3cretPw")
  })

  it("an unknown flag is reported as such, not as an unknown command, even with a value after it", () => {
    const { path, problem } = analyse("sessions export --stauts open --format csv")
    expect(path.map((node) => node.name)).toEqual(["opencx", "sessions", "export"])
    expect(problem).not.toMatch(/use one of|unknown command/)
  })
})

describe("positional arguments", () => {
  const id = "3f1c2a4e-8b7d-4c6e-9a1b-2c3d4e5f6a7b"

  it("an ID anywhere among the flags, or after --", () => {
    for (const line of [`sessions history ${id} --format text`, `sessions history --format text ${id}`, `sessions send ${id} --text hi`]) {
      expect(analyse(line).problem).toBeUndefined()
    }
    expect(Argv.analyse(Cli.tree, ["sessions", "history", "--format", "text", "--", "-odd-id"]).problem).toBeUndefined()
    expect(Argv.analyse(Cli.tree, ["sessions", "send", id, "--text", "-"]).problem).toBeUndefined() // - is a value
  })

  it.each([
    ["sessions history", "`opencx sessions history` needs ID: the session's id"],
    [`sessions history ${id} ${id}`, `unexpected argument \`${id}\` for \`opencx sessions history\`: it takes ID and flags only`],
    ["sessions history ..", `Invalid ID "..": it cannot be an id`],
    [`sessions send ${id}`, "`opencx sessions send` needs `--text TEXT`"],
    [`sessions close ${id} --summarize`, "unknown flag `--summarize` for `opencx sessions close`: did you mean `--summarise`?"],
    [`sessions reopen ${id} --unresolved`, "`--unresolved` is a flag of `opencx sessions close`, not of `opencx sessions reopen`"],
    [`sessions export ${id}`, `unexpected argument \`${id}\` for \`opencx sessions export\`: it takes flags only`]
  ])("%j: %s", (line, message) => {
    const { problem } = analyse(line)
    expect(problem).toContain(message)
    expect(problem).toMatch(/\nRun `opencx[a-z -]*--help` for its usage\.$/)
  })

  it("an id with control characters is named without them", () => {
    const { problem } = Argv.analyse(Cli.tree, ["sessions", "history", "a\u001b[2Jb"])
    expect(problem).toContain(`Invalid ID "a\\u001b[2Jb": it contains control characters`)
    expect(problem).not.toMatch(/\u001b/)
  })
})

describe("flags carry the type @effect/cli parses", () => {
  it("choices, integers, files and switches", () => {
    const status = Flags.choice("status", ["open", "closed_resolved"], { group: "Filters", description: "" })
    expect(status.value).toBe("open|closed_resolved")
    expect(Flags.integer("limit", { min: 1 }, { group: "Output", description: "" }).value).toBe("INTEGER")
    expect(Flags.text("output", "FILE", { group: "Output", description: "", alias: "o" }).value).toBe("FILE")
    expect(Flags.file("api-key-file", { group: "Connection", description: "" }).value).toBe("FILE")
    expect(Flags.toggle("quiet", { group: "Output", description: "" }).value).toBeUndefined()
  })
})
