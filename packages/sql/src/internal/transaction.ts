/**
 * One transaction on one connection, with every failure typed.
 *
 * `SqlClient.withTransaction` begins with a plain `BEGIN` and turns a failed
 * `COMMIT` (or a failed `BEGIN`, through the rollback that follows it) into
 * a defect. A sync needs more: on SQLite the transaction must take the write
 * lock at once (`BEGIN IMMEDIATE`: two syncs then queue on the lock instead
 * of failing with `SQLITE_BUSY` when a read turns into a write), and a
 * failed `COMMIT` is an error to report, not a crash.
 *
 * Statements inside `effect` run on the transaction's connection (it is
 * provided as `SqlClient.TransactionConnection`, where every statement of the
 * client looks for it); a nested `withTransaction` (the Migrator's) becomes a
 * savepoint.
 *
 * @internal
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

export const transaction = <A, E, R>(
  sql: SqlClient.SqlClient,
  begin: string,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | SqlError, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.scoped(Effect.gen(function*() {
      const connection = yield* restore(sql.reserve)
      yield* connection.executeUnprepared(begin, [], undefined)
      const exit = yield* Effect.exit(
        restore(Effect.provideService(effect, SqlClient.TransactionConnection, [connection, 0] as const))
      )
      if (Exit.isSuccess(exit)) {
        const committed = yield* Effect.exit(connection.executeUnprepared("COMMIT", [], undefined))
        if (Exit.isSuccess(committed)) return exit.value
        // SQLite leaves a transaction whose COMMIT failed open: end it (PostgreSQL already has)
        yield* Effect.ignore(connection.executeUnprepared("ROLLBACK", [], undefined))
        return yield* Effect.failCause(committed.cause)
      }
      yield* Effect.ignore(connection.executeUnprepared("ROLLBACK", [], undefined))
      return yield* Effect.failCause(exit.cause)
    }))
  )

/** `BEGIN IMMEDIATE` on SQLite (the write lock at once), `BEGIN` elsewhere */
export const beginFor = (sql: SqlClient.SqlClient): string =>
  sql.onDialectOrElse({ sqlite: () => "BEGIN IMMEDIATE", orElse: () => "BEGIN" })
