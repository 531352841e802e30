#!/usr/bin/env node
// Packaging check: `npm pack` every publishable workspace package, install the
// tarballs into a fresh project outside the workspace, import every public
// module from plain Node ESM, and type-check a TypeScript consumer with tsc.
// Needs `npm run build` first (the tarballs hold dist/). With OPENCX_TEST_PG_URL
// set (as `npm test` sets it), the packed @opencx-effect/sql also syncs a fake
// into a PostgreSQL database of its own, from plain Node.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const rootPkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"))
const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc")
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", env: { ...process.env, npm_config_loglevel: "error" } })

const packages = fs.readdirSync(path.join(root, "packages"))
  .map((dir) => path.join(root, "packages", dir))
  .filter((dir) => fs.existsSync(path.join(dir, "package.json")))
  .map((dir) => ({ dir, pkg: JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) }))
  .filter(({ pkg }) => pkg.private !== true)

const work = fs.mkdtempSync(path.join(os.tmpdir(), "opencx-pack-"))
const consumer = path.join(work, "consumer")
fs.mkdirSync(consumer)

const dependencies = {}
const modules = []
for (const { dir, pkg } of packages) {
  if (!fs.existsSync(path.join(dir, "dist", "index.js"))) {
    throw new Error(`${pkg.name}: dist/index.js is missing; run \`npm run build\` first`)
  }
  const out = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", work], dir))
  const tarball = path.join(work, out[0].filename)
  const files = out[0].files.map((f) => f.path)
  for (const required of ["package.json", "dist/index.js", "dist/index.d.ts"]) {
    if (!files.includes(required)) throw new Error(`${pkg.name}: ${required} is not in the tarball`)
  }
  if (files.some((f) => f.startsWith("test/"))) throw new Error(`${pkg.name}: tests leaked into the tarball`)
  dependencies[pkg.name] = `file:${tarball}`
  // peer dependencies come from the registry, at the versions the workspace uses
  for (const [name, range] of Object.entries(pkg.peerDependencies ?? {})) {
    if (!name.startsWith("@opencx-effect/")) dependencies[name] = rootPkg.devDependencies[name] ?? range
  }
  // every module but the barrel and the executables (importing those would run them)
  const bins = Object.values(pkg.bin ?? {}).map((b) => path.basename(b, ".js"))
  const publicModules = fs.readdirSync(path.join(dir, "src"))
    .filter((f) => f.endsWith(".ts") && f !== "index.ts" && !bins.includes(f.slice(0, -3)))
    .map((f) => f.slice(0, -3))
  modules.push({ name: pkg.name, publicModules, bins: Object.keys(pkg.bin ?? {}) })
  console.log(`packed ${pkg.name}: ${files.length} files`)
}

fs.writeFileSync(
  path.join(consumer, "package.json"),
  // better-sqlite3 (through @effect/sql-sqlite-node, an optional peer of @opencx-effect/sql) is not
  // built here: compiling it takes minutes, and the checks below use PostgreSQL's pure JS driver
  JSON.stringify({ name: "consumer", private: true, type: "module", dependencies, allowScripts: { "better-sqlite3": false } }, null, 2)
)
run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], consumer)

// 1. Plain Node ESM: every barrel and every public module imports, internals do not.
const esm = [
  `import assert from "node:assert/strict"`,
  ...modules.flatMap(({ name, publicModules }, i) => [
    `const barrel${i} = await import(${JSON.stringify(name)})`,
    ...publicModules.map((m) =>
      `assert.equal(typeof (await import(${JSON.stringify(`${name}/${m}`)})), "object"); assert.ok(barrel${i}[${JSON.stringify(m)}], "${name} exports ${m}")`
    ),
    `await assert.rejects(import(${JSON.stringify(`${name}/internal/x`)}), "internal modules are not exported")`
  ]),
  `const { ChatSession } = await import("@opencx-effect/core")`,
  `const { Schema } = await import("effect")`,
  `const page = Schema.decodeUnknownSync(ChatSession.ListChatSessionsOutput)({ items: [], next: null })`,
  `assert.deepEqual(page, { items: [], next: null })`,
  // the Redis store, as installed: its errors are core's (one copy of core), its names never hold a password
  `const { RedisRateLimitStore } = await import("@opencx-effect/redis")`,
  `const { RateLimitStore } = await import("@opencx-effect/core")`,
  `const { Effect, Exit, Cause, Option } = await import("effect")`,
  `assert.equal(RedisRateLimitStore.nameOf("redis://user:pw@host:6379/1"), "redis://user@host:6379/1")`,
  `const refused = await Effect.runPromiseExit(Effect.scoped(RedisRateLimitStore.make({ url: "http://user:pw@host" })))`,
  `assert.ok(Exit.isFailure(refused) && Option.getOrThrow(Cause.failureOption(refused.cause)) instanceof RateLimitStore.RateLimitStoreError)`,
  // @opencx-effect/sql: URLs, and with a PostgreSQL server, a whole sync from plain Node
  `const { SessionSync, SyncDatabase } = await import("@opencx-effect/sql")`,
  `assert.equal(SyncDatabase.describe("postgres://u:pw@h/db"), "postgres://u:***@h/db")`,
  `const pgUrl = process.env.OPENCX_TEST_PG_URL`,
  `if (pgUrl) {`,
  `  const { Layer, Redacted } = await import("effect")`,
  `  const { NodeFakeOpenCx, NodeOpenCx } = await import("@opencx-effect/platform-node")`,
  `  const SqlClient = await import("@effect/sql/SqlClient")`,
  `  const name = "opencx_pack_" + process.pid`,
  `  const admin = SyncDatabase.layer(Redacted.make(pgUrl))`,
  `  await Effect.runPromise(Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe("CREATE DATABASE " + name)).pipe(Effect.provide(admin)))`,
  `  const db = new URL(pgUrl); db.pathname = "/" + name`,
  `  const fake = await NodeFakeOpenCx.start({ generate: { count: 60, seed: 2 }, pageSize: 25 })`,
  `  try {`,
  `    const layer = Layer.merge(SyncDatabase.layer(Redacted.make(db.toString())), NodeOpenCx.layer({ apiKey: Redacted.make(fake.apiKey), baseUrl: fake.url, rateLimit: false }))`,
  `    const [summary, back] = await Effect.runPromise(Effect.zip(SessionSync.run({ withHistory: true }), SessionSync.readSessions()).pipe(Effect.provide(layer)))`,
  `    assert.equal(summary.sessions, 60); assert.equal(summary.pages, 3); assert.equal(back.length, 60)`,
  `    console.log("sql sync ok")`,
  `  } finally {`,
  `    await fake.stop()`,
  `    await Effect.runPromise(Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe("DROP DATABASE IF EXISTS " + name)).pipe(Effect.provide(admin)))`,
  `  }`,
  `}`,
  `console.log("esm ok")`
].join("\n")
fs.writeFileSync(path.join(consumer, "check.mjs"), esm)
process.stdout.write(run("node", ["check.mjs"], consumer))

// 2. TypeScript: a strict NodeNext consumer type-checks against the published .d.ts.
const ts = [
  `import { ChatSession, ListChatSessionsParams } from "@opencx-effect/core"`,
  `import * as Models from "@opencx-effect/core/ChatSession"`,
  ...modules.filter(({ name }) => name !== "@opencx-effect/core").map(({ name }, i) => `import * as Pkg${i} from ${JSON.stringify(name)}\nvoid Pkg${i}`),
  `import { Effect, Schema } from "effect"`,
  `const decode = Schema.decodeUnknownSync(ChatSession.ListChatSessionsOutput)`,
  `const page: ChatSession.ListChatSessionsOutput = decode({ items: [], next: null })`,
  `const status: ChatSession.SessionStatus | undefined = page.items[0]?.status`,
  `const same: typeof Models.ChatSession = ChatSession.ChatSession`,
  `const url: Effect.Effect<Record<string, string>, unknown> = ListChatSessionsParams.toUrlParams({ status: "open", created_after: new Date() })`,
  `import { RateLimitStore } from "@opencx-effect/core"`,
  `import { RedisRateLimitStore } from "@opencx-effect/redis"`,
  `import type { Layer, ConfigError } from "effect"`,
  `const store: Layer.Layer<RateLimitStore.RateLimitStore, ConfigError.ConfigError | RateLimitStore.RateLimitStoreError> = RedisRateLimitStore.layerConfig({ prefix: "app:limit" })`,
  `const client: RedisRateLimitStore.Client = { evalsha: async () => [1, 0], eval: async () => [1, 0] }`,
  `const fromClient = RedisRateLimitStore.layer({ client, name: "redis-cluster" })`,
  `void status; void same; void url; void store; void fromClient`,
  // the sync's types from the packed .d.ts: the drivers' types are not needed
  `import { SessionSync, SyncDatabase, SyncError } from "@opencx-effect/sql"`,
  `const sync: Effect.Effect<SessionSync.Summary | undefined, SyncError.SyncError | import("@opencx-effect/core").OpenCxError.OpenCxError | SyncError.DatabaseUnreachable, import("@opencx-effect/core").SessionsService.SessionsService> =`,
  `  SessionSync.run({ filters: { channel_type: "email" }, withHistory: true, wait: "10 seconds" }).pipe(`,
  `    Effect.catchTag("SyncInProgress", (e) => Effect.as(Effect.logWarning(e.owner), undefined)),`,
  `    Effect.provide(SyncDatabase.layer("sqlite:opencx.db"))`,
  `  )`,
  `void sync`
].join("\n")
fs.writeFileSync(path.join(consumer, "check.ts"), ts)
fs.writeFileSync(
  path.join(consumer, "tsconfig.json"),
  JSON.stringify({
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      exactOptionalPropertyTypes: true,
      noEmit: true,
      skipLibCheck: false,
      types: [],
      lib: ["ES2022", "DOM"]
    },
    files: ["check.ts"]
  }, null, 2)
)
try {
  run("node", [tsc, "-p", "tsconfig.json"], consumer)
} catch (error) {
  console.error(error.stdout ?? error)
  throw new Error("the TypeScript consumer does not type-check against the packed .d.ts")
}
console.log("types ok")

// 3. Executables run from the installed package.
for (const { bins } of modules) {
  for (const name of bins) {
    const out = run(path.join(consumer, "node_modules", ".bin", name), ["--version"], consumer)
    if (out.trim() === "") throw new Error(`${name} --version printed nothing`)
    console.log(`${name} --version: ${out.trim()}`)
  }
}
fs.rmSync(work, { recursive: true, force: true })
console.log("pack check passed")
