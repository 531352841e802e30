/**
 * The install: better-sqlite3 is at version 12 (13 crashes on Node 20), the
 * root package.json approves its install script for exactly the version the
 * lockfile has (npm 11's allowScripts), and the native module it built loads.
 */
import { expect, it } from "@effect/vitest"
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

it("the lockfile has better-sqlite3 12, and allowScripts approves that very version", () => {
  const locked = field(field(field(readJson("package-lock.json"), "packages"), "node_modules/better-sqlite3"), "version")
  expect(typeof locked).toBe("string")
  expect(String(locked)).toMatch(/^12\./)
  const allow = field(readJson("package.json"), "allowScripts")
  expect(field(allow, `better-sqlite3@${String(locked)}`)).toBe(true)
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
