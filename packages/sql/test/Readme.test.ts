/**
 * The README's example of a sync runs (core's README test checks that its
 * block is this file, verbatim; tsc -b type-checks it): against a fake on a
 * socket, into SQLite and PostgreSQL, configured from the environment.
 */
import { describe, expect, it } from "@effect/vitest"
import { NodeFakeOpenCx } from "@opencx-effect/platform-node"
import { SessionSync } from "@opencx-effect/sql"
import { ConfigProvider, Effect, Logger, Redacted } from "effect"
import * as Example from "./examples/sync.js"
import { layerOf, postgresPresence, type Target, targets } from "../../../test-utils/databases.js"

postgresPresence()

describe.each(targets)("$name", (target: Target) => {
  it.live("the README's sync example runs, configured from OPENCX_DB_URL, OPENCX_API_KEY and OPENCX_BASE_URL", () =>
    Effect.gen(function*() {
      const { fake, url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
      const db = yield* target.fresh
      const env = ConfigProvider.fromMap(
        new Map([["OPENCX_DB_URL", db], ["OPENCX_API_KEY", Redacted.value(fake.apiKey)], ["OPENCX_BASE_URL", url]])
      )
      const run = yield* Example.program.pipe(
        Effect.provide(Example.MainLayer),
        Effect.withConfigProvider(env),
        Effect.provide(Logger.remove(Logger.defaultLogger))
      )
      const email = (yield* fake.sessions).filter((s) => s.channel.type === "email")
      expect(run?.done).toBe(true)
      expect(run?.sessions).toBe(email.length)
      expect(run?.events).toBeGreaterThan(email.length)
      const back = yield* SessionSync.readSessions().pipe(Effect.provide(layerOf(db)))
      expect(back.map((s) => s.id).sort()).toEqual(email.map((s) => s.id).sort())
    }).pipe(Effect.provide(NodeFakeOpenCx.layer({ generate: { count: 120, seed: 4 }, pageSize: 20 }))))
})
