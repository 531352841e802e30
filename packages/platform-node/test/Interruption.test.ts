/**
 * Interruption leaves nothing behind: after a walk is interrupted mid-request
 * (here by a timeout), the server sees the connection close, and the process
 * exits on its own, promptly: no fiber, timer or socket keeps it alive.
 */
import { expect, it } from "@effect/vitest"
import { FakeOpenCx } from "@opencx-effect/core"
import { NodeFakeOpenCx } from "@opencx-effect/platform-node"
import { Effect, Redacted, Schedule } from "effect"
import { spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "interrupt-and-exit.mjs")

it.live("after an interrupted walk, the process exits promptly by itself; the server saw the abort", () =>
  Effect.gen(function*() {
    const { fake, url } = yield* NodeFakeOpenCx.NodeFakeOpenCx
    const timing = yield* Effect.async<{ doneAt: number; exitAt: number; code: number | null; out: string }>((resume) => {
      const child = spawn(process.execPath, [script, url, Redacted.value(fake.apiKey)], { stdio: ["ignore", "pipe", "inherit"] })
      let out = ""
      let doneAt = 0
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        out += chunk
        if (doneAt === 0 && out.includes("done")) doneAt = performance.now()
      })
      child.on("exit", (code) => resume(Effect.succeed({ doneAt, exitAt: performance.now(), code, out })))
    })
    expect(timing.out).toContain("done Failure") // the timeout interrupted the walk
    expect(timing.code).toBe(0)
    expect(timing.exitAt - timing.doneAt).toBeLessThan(1_500)
    const log = yield* Effect.flatMap(FakeOpenCx.FakeOpenCx, (f) => f.requests).pipe(
      Effect.filterOrFail((entries) => entries.length >= 2),
      Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.upTo("5 seconds")))
    )
    expect(log[1]).toMatchObject({ number: 2, outcome: "aborted" })
  }).pipe(
    Effect.provide(NodeFakeOpenCx.layer({
      generate: { count: 100, seed: 1 },
      pageSize: 10,
      faults: [FakeOpenCx.onRequest(2, FakeOpenCx.Fault.noResponse)]
    }))
  ))
