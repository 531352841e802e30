/**
 * @opencx-effect/cli: the `opencx` command.
 *
 * @since 0.1.0
 */

/**
 * The command tree and `run`.
 *
 * @since 0.1.0
 */
export * as Cli from "./Cli.js"

/**
 * The CSV columns of a session.
 *
 * @since 0.1.0
 */
export * as Csv from "./Csv.js"
