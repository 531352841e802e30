/**
 * A small, fast, non-cryptographic hash.
 *
 * @internal
 */

/** A 53-bit keyed hash of a string (cyrb53), as base-36 text. */
export const keyedHash = (key: string, text: string): string => {
  let h1 = 0xdeadbeef ^ key.length
  let h2 = 0x41c6ce57 ^ key.length
  const input = key + "\u0000" + text
  for (let i = 0; i < input.length; i++) {
    const ch = input.charCodeAt(i)
    h1 = Math.imul(h1 ^ ch, 2654435761)
    h2 = Math.imul(h2 ^ ch, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36)
}

/** A 32-bit hash of a string (FNV-1a), to seed a generator from an id. */
export const hash32 = (text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}
