/** For each request time, how many requests started in the (sliding) window that opens with it: the largest is the busiest window. */
export const windowCounts = (times: ReadonlyArray<number>, window: number): ReadonlyArray<number> => {
  const sorted = [...times].sort((a, b) => a - b)
  let end = 0
  return sorted.map((t, i) => {
    while (end < sorted.length && sorted[end]! < t + window) end++
    return end - i
  })
}
