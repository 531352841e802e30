/**
 * A FakeOpenCx on 127.0.0.1 in a process of its own, so that the client's
 * cost can be measured alone. Its settings come as JSON in argv[2]; it prints
 * one line of JSON (`{ url, apiKey }`) when it listens, and stops when its
 * stdin closes (the parent went away) or on SIGTERM.
 *
 * @since 0.1.0
 */
import { NodeFakeOpenCx } from "@opencx-effect/platform-node"
import { Schema } from "effect"

/**
 * @since 0.1.0
 */
export const FakeSettings = Schema.Struct({
  count: Schema.Int,
  seed: Schema.optional(Schema.Int),
  pageSize: Schema.Int,
  latencyMs: Schema.optional(Schema.Number),
  historyPageSize: Schema.optional(Schema.Int),
  rateLimit: Schema.optional(Schema.Struct({ limit: Schema.Int, windowMs: Schema.Number }))
})

/**
 * @since 0.1.0
 */
export type FakeSettings = typeof FakeSettings.Type

const main = async () => {
  const settings = Schema.decodeUnknownSync(Schema.parseJson(FakeSettings))(process.argv[2] ?? "{}")
  const fake = await NodeFakeOpenCx.start({
    generate: { count: settings.count, seed: settings.seed ?? 1 },
    pageSize: settings.pageSize,
    logLimit: 100,
    ...(settings.historyPageSize === undefined ? {} : { historyPageSize: settings.historyPageSize }),
    ...(settings.latencyMs === undefined ? {} : { latency: settings.latencyMs }),
    ...(settings.rateLimit === undefined
      ? {}
      : { rateLimit: { limit: settings.rateLimit.limit, window: settings.rateLimit.windowMs } })
  })
  process.stdout.write(JSON.stringify({ url: fake.url, apiKey: fake.apiKey }) + "\n")
  const stop = () => {
    void fake.stop().then(() => process.exit(0))
  }
  process.stdin.on("end", stop)
  process.stdin.resume()
  process.on("SIGTERM", stop)
}

if (process.argv[1]?.endsWith("fakeServer.js")) void main()
