import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { UserConfig } from "vitest/config"

const root = path.dirname(fileURLToPath(import.meta.url))
const pkg = (name: string) => path.join(root, "packages", name, "src")

/**
 * The config every package's vitest project shares: workspace packages are
 * resolved to their TypeScript sources, so tests never need a build.
 */
export const shared: UserConfig = {
  resolve: {
    alias: [
      { find: /^@opencx-effect\/core$/, replacement: path.join(pkg("core"), "index.ts") },
      { find: /^@opencx-effect\/core\/(.*)$/, replacement: path.join(pkg("core"), "$1.ts") },
      { find: /^@opencx-effect\/platform-node$/, replacement: path.join(pkg("platform-node"), "index.ts") },
      { find: /^@opencx-effect\/platform-node\/(.*)$/, replacement: path.join(pkg("platform-node"), "$1.ts") },
      { find: /^@opencx-effect\/redis$/, replacement: path.join(pkg("redis"), "index.ts") },
      { find: /^@opencx-effect\/redis\/(.*)$/, replacement: path.join(pkg("redis"), "$1.ts") },
      { find: /^@opencx-effect\/sql$/, replacement: path.join(pkg("sql"), "index.ts") },
      { find: /^@opencx-effect\/sql\/(.*)$/, replacement: path.join(pkg("sql"), "$1.ts") }
    ]
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    sequence: { concurrent: false }
  }
}
