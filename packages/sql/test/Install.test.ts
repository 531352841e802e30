/**
 * The install: better-sqlite3 is at version 12 (13 crashes on Node 20), the
 * root package.json approves its install script (npm 11's allowScripts), npm
 * itself counts it as reviewed, and the native module it built loads.
 */
import { expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(path.join(root, file), "utf8"))
const field = (value: unknown, key: string): unknown =>
  typeof value === "object" && value !== null ? Reflect.get(value, key) : undefined
/** calls a method of an untyped object (better-sqlite3 ships no types) */
const call = (target: unknown, method: string, ...args: Array<unknown>): unknown => {
  const fn = field(target, method)
  if (typeof fn !== "function") throw new Error(`no method ${method}`)
  return Reflect.apply(fn, target, args)
}

it("the lockfile has better-sqlite3 12, allowScripts approves its build, and npm counts it as reviewed", () => {
  const locked = field(field(field(readJson("package-lock.json"), "packages"), "node_modules/better-sqlite3"), "version")
  expect(typeof locked).toBe("string")
  expect(String(locked)).toMatch(/^12\./)
  // by name: npm pins an approval to a version only when the lockfile has resolved URLs, which this one omits
  expect(field(field(readJson("package.json"), "allowScripts"), "better-sqlite3")).toBe(true)
  const npm = spawnSync("npm", ["install-scripts", "ls"], { cwd: root, encoding: "utf8" })
  if (npm.status === 0) expect(`${npm.stdout}${npm.stderr}`).not.toContain("better-sqlite3")
  else expect(`${npm.stdout}${npm.stderr}`).toMatch(/Unknown command|unknown command/) // an npm before allowScripts runs every script
})

it("better-sqlite3's native module was built and loads", () => {
  const require = createRequire(path.join(root, "packages", "sql", "package.json"))
  const sqliteNode = path.dirname(require.resolve("@effect/sql-sqlite-node/package.json"))
  const Database: unknown = createRequire(path.join(sqliteNode, "package.json"))("better-sqlite3")
  expect(typeof Database).toBe("function")
  if (typeof Database !== "function") return
  const db: unknown = Reflect.construct(Database, [":memory:"])
  const row = call(call(db, "prepare", "SELECT sqlite_version() AS v"), "get")
  expect(String(field(row, "v"))).toMatch(/^3\.\d+/)
  call(db, "close")
})
