import { SessionsService } from "@opencx-effect/core"
import { NodeOpenCx } from "@opencx-effect/platform-node"
import { Effect, Stream } from "effect"

// Every session closed as resolved since January, streamed page by page at
// the API's rate limit, retried on transient faults.
export const program = SessionsService.stream({ status: "closed_resolved", created_after: "2025-01-01" }).pipe(
  Stream.take(1_000),
  Stream.runFold(new Map<string, number>(), (byChannel, session) =>
    byChannel.set(session.channel.type, (byChannel.get(session.channel.type) ?? 0) + 1)),
  Effect.tap((byChannel) => Effect.log("sessions by channel", Object.fromEntries(byChannel))),
  Effect.catchTag("Unauthorized", (error) => Effect.dieMessage(error.message))
)

// One client for the API key (one rate limit) and every service on it, over
// Node's HTTP client. OPENCX_API_KEY (and OPENCX_BASE_URL, default
// https://api.open.cx) come from the environment.
export const MainLayer = NodeOpenCx.layerConfig()

// In an application: program.pipe(Effect.provide(MainLayer), NodeRuntime.runMain)
