/** Every object or array in a JSON tree (for tests that mutate pages). */
export type Container = { [key: string]: unknown } | Array<unknown>

export const containers = (root: unknown): Array<Container> => {
  const out: Array<Container> = []
  const walk = (node: unknown) => {
    if (typeof node !== "object" || node === null) return
    out.push(node as Container)
    for (const child of Object.values(node)) walk(child)
  }
  walk(root)
  return out
}
