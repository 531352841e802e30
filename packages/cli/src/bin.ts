#!/usr/bin/env node
/**
 * The `opencx` executable.
 *
 * @since 0.1.0
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Cli from "./Cli.js"

// a closed pipe surfaces as a failed write (OutputClosed), not as an unhandled 'error' event
process.stdout.on("error", () => {})

// logs go to stderr (Cli.run sets the logger: text or JSON lines): stdout is for data (an export to stdout must
// stay clean ndjson, csv or json). runMain would add its own pretty logger, which writes to stdout: it is disabled.
NodeRuntime.runMain(Cli.run(process.argv).pipe(Effect.provide(NodeContext.layer)), {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  // 0 on success, 1 when the API fails, 2 on bad input, 130 when interrupted (Ctrl-C)
  teardown: (exit, onExit) =>
    onExit(
      Exit.isSuccess(exit)
        ? (typeof exit.value === "number" ? exit.value : 0)
        : Cause.isInterruptedOnly(exit.cause)
        ? 130
        : 1
    )
})
