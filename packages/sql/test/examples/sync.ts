import { NodeOpenCx } from "@opencx-effect/platform-node"
import { SessionSync, SyncDatabase } from "@opencx-effect/sql"
import { Effect, Layer, Stream } from "effect"

// Keep a database in step with OpenCX: every email session (and its
// history), upserted by id, one transaction per page with the cursor and the
// watermark. Run it as often as you like: each run fetches only what changed
// since the last one, and a run after a crash goes on from its last page.
export const program = SessionSync.stream({ filters: { channel_type: "email" }, withHistory: true }).pipe(
  Stream.tap((p) => Effect.logInfo(`page ${p.pages}: ${p.sessions} sessions, ${p.events} events`)),
  Stream.runLast,
  Effect.flatten, // the last progress: the walk is done, the watermark moved
  Effect.tap((run) => Effect.logInfo(`${run.upserted} rows written; the next run starts from ${run.watermark}`)),
  // another sync of the same filters holds the lease: say who, and stop
  Effect.catchTag("SyncInProgress", (busy) => Effect.logWarning(busy.message).pipe(Effect.as(undefined)))
)

// The database from OPENCX_DB_URL (sqlite:PATH, by default sqlite:opencx.db,
// or postgres://…); the API from OPENCX_API_KEY and OPENCX_BASE_URL.
export const MainLayer = Layer.merge(SyncDatabase.layerConfig(), NodeOpenCx.layerConfig())

// In an application: program.pipe(Effect.provide(MainLayer), NodeRuntime.runMain)
