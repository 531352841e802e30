/**
 * @opencx-effect/sql: keep a SQL database in step with OpenCX, exactly once
 * per row, crash-safe page by page.
 *
 * @since 0.1.0
 */

/**
 * The sync: every session of a filter set upserted into `opencx_sessions`,
 * a page per transaction with the cursor and the watermark.
 *
 * @since 0.1.0
 */
export * as SessionSync from "./SessionSync.js"

/**
 * A database named by a URL (`sqlite:PATH`, `postgres://…`) as an
 * `@effect/sql` `SqlClient`.
 *
 * @since 0.1.0
 */
export * as SyncDatabase from "./SyncDatabase.js"

/**
 * The errors of a sync.
 *
 * @since 0.1.0
 */
export * as SyncError from "./SyncError.js"
