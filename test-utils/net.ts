/**
 * Network helpers the packages' tests share.
 */
import { Effect } from "effect"
import * as net from "node:net"

/** a port of 127.0.0.1 nobody listens on (a dead server), found by listening on port 0 and closing */
export const freePort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})
