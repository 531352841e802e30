/**
 * Error messages say what was wrong, where, and what to do: for files the
 * user named (a missing directory, a permission error, a read-only file
 * system) and for API errors.
 */
import { describe, expect, it } from "@effect/vitest"
import { OpenCxError } from "@opencx-effect/core"
import { Duration } from "effect"
import * as Errors from "../src/internal/errors.js"

/** a Node system error, as fs raises it, wrapped as @effect/platform wraps it */
const systemError = (code: string, errno: number) => ({
  _tag: "SystemError",
  reason: "Unknown",
  module: "FileSystem",
  method: "open",
  message: `SystemError: Unknown: FileSystem.open (/x/y): ${code}`,
  cause: Object.assign(new Error(`${code}: failed, open '/x/y'`), { code, errno })
})

describe("files the user named", () => {
  it.each([
    ["ENOENT", -2, "no such file or directory (ENOENT): the directory /data/2025 does not exist: create it (mkdir -p /data/2025), or choose another --output"],
    ["EACCES", -13, "permission denied (EACCES): you may not write there: choose a directory you can write to for --output, or change the permissions of /data/2025"],
    ["EPERM", -1, "operation not permitted (EPERM): you may not write there"],
    ["EROFS", -30, "read-only file system (EROFS): choose a directory on a writable file system for --output"],
    ["ENOSPC", -28, "no space left on device (ENOSPC): free some space, or choose another --output"]
  ] as const)("%s", (code, errno, message) => {
    const text = Errors.explainFile(systemError(code, errno), "/data/2025/out.ndjson", "--output")
    expect(text).toContain(message)
    expect(text).not.toMatch(/SystemError|Unknown:|FileSystem\./)
  })
})

describe("API errors", () => {
  const request = { method: "GET" as const, url: "https://api.open.cx/chat/sessions" }
  const response = { ...request, status: 503 }

  it.each([
    [new OpenCxError.Unauthorized({ ...response, status: 401 }), "Check the API key (OPENCX_API_KEY). Set OPENCX_API_KEY, or pass --api-key-file, with a valid key.", 1],
    [new OpenCxError.ServerError(response), "failed with 503 (server error). The API is failing: run the command again later.", 1],
    [new OpenCxError.RateLimited({ ...response, status: 429, retryAfter: Duration.seconds(120) }), "Wait a minute and run it again, or lower --rate-limit.", 1],
    [new OpenCxError.Transport({ ...request, reason: "connect ECONNREFUSED 127.0.0.1:9" }), "Check the network and the base URL (--base-url or OPENCX_BASE_URL)", 1],
    [new OpenCxError.InvalidParams({ field: "status", issue: "bad" }), "Check the filters.", 2]
  ] as const)("%s: what failed, where, and what to do", (error, remedy, exitCode) => {
    const failure = Errors.apiFailure(error, "The checkpoint cp.json is saved: run the same command again to resume.")
    expect(failure.message).toContain(remedy)
    expect(failure.message).toMatch(/run the same command again to resume\.$/)
    if (error._tag !== "InvalidParams") expect(failure.message).toContain("https://api.open.cx/chat/sessions")
    expect(failure.exitCode).toBe(exitCode)
  })
})
