/**
 * `JSON.stringify` for values of any depth. V8's `JSON.stringify` recurses
 * and throws `RangeError: Maximum call stack size exceeded` at around 10,000
 * levels; the API carries unknown fields through to the export, and a field
 * can be nested that deep. `stringify` uses `JSON.stringify` and, only when
 * it throws a `RangeError`, an iterative serializer (an explicit stack, no
 * recursion) that writes exactly what `JSON.stringify` would.
 *
 * @internal
 */

/** What a value serializes to: a finished text, nothing (omitted), or a container to walk. */
type Prepared =
  | { readonly _tag: "Text"; readonly text: string }
  | { readonly _tag: "Omitted" }
  | { readonly _tag: "Array"; readonly value: ReadonlyArray<unknown> }
  | { readonly _tag: "Object"; readonly value: object }

const omitted: Prepared = { _tag: "Omitted" }
const text = (text: string): Prepared => ({ _tag: "Text", text })

/** `toJSON(key)` when the value has one, as `JSON.stringify` calls it */
const callToJson = (value: unknown, key: string): unknown => {
  let toJson: unknown = undefined
  if (((typeof value === "object" && value !== null) || typeof value === "function") && "toJSON" in value) {
    toJson = value.toJSON
  }
  else if (typeof value === "bigint") toJson = Reflect.get(BigInt.prototype, "toJSON")
  return typeof toJson === "function" ? Reflect.apply(toJson, value, [key]) : value
}

/** SerializeJSONProperty, without the recursion: what `value` (found under `key`) becomes */
const prepare = (raw: unknown, key: string): Prepared => {
  let value = callToJson(raw, key)
  // boxed primitives are written as their primitive
  if (value instanceof Number) value = Number(value)
  else if (value instanceof String) value = String(value)
  else if (value instanceof Boolean || value instanceof BigInt) value = value.valueOf()
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
      return text(JSON.stringify(value))
    case "bigint":
      throw new TypeError("Do not know how to serialize a BigInt")
    case "object":
      return value === null
        ? text("null")
        : Array.isArray(value)
        ? { _tag: "Array", value }
        : { _tag: "Object", value }
    default: // undefined, a function, a symbol
      return omitted
  }
}

type Frame =
  | { readonly _tag: "Array"; readonly value: ReadonlyArray<unknown>; index: number }
  | { readonly _tag: "Object"; readonly value: object; readonly keys: ReadonlyArray<string>; index: number; written: number }

/**
 * `JSON.stringify(value)` (no replacer, no indentation) with an explicit
 * stack: the same text for every value, at any depth. `undefined` when
 * `JSON.stringify` gives `undefined`; throws the same `TypeError`s (a cycle,
 * a BigInt).
 *
 * @internal
 */
export const stringifyIteratively = (value: unknown): string | undefined => {
  const root = prepare(value, "")
  if (root._tag === "Text") return root.text
  if (root._tag === "Omitted") return undefined
  const out: Array<string> = []
  const stack: Array<Frame> = []
  const open = new Set<object>() // the containers being written: one met again is a cycle
  const enter = (container: Prepared & { readonly _tag: "Array" | "Object" }) => {
    if (open.has(container.value)) throw new TypeError("Converting circular structure to JSON")
    open.add(container.value)
    if (container._tag === "Array") {
      out.push("[")
      stack.push({ _tag: "Array", value: container.value, index: 0 })
    } else {
      out.push("{")
      stack.push({ _tag: "Object", value: container.value, keys: Object.keys(container.value), index: 0, written: 0 })
    }
  }
  enter(root)
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!
    let descended = false
    if (frame._tag === "Array") {
      const length = frame.value.length
      while (frame.index < length && !descended) {
        const index = frame.index++
        if (index > 0) out.push(",")
        const item = prepare(frame.value[index], String(index))
        if (item._tag === "Text") out.push(item.text)
        else if (item._tag === "Omitted") out.push("null") // in an array, undefined is null
        else {
          enter(item)
          descended = true
        }
      }
      if (!descended) {
        out.push("]")
        open.delete(frame.value)
        stack.pop()
      }
    } else {
      while (frame.index < frame.keys.length && !descended) {
        const key = frame.keys[frame.index++]!
        const member = prepare(Reflect.get(frame.value, key), key)
        if (member._tag === "Omitted") continue // in an object, an undefined member is left out
        out.push((frame.written++ > 0 ? "," : "") + JSON.stringify(key) + ":")
        if (member._tag === "Text") out.push(member.text)
        else {
          enter(member)
          descended = true
        }
      }
      if (!descended) {
        out.push("}")
        open.delete(frame.value)
        stack.pop()
      }
    }
  }
  return out.join("")
}

/**
 * `JSON.stringify(value)`, which falls back on `stringifyIteratively` when
 * the value is nested too deeply for it (a `RangeError`).
 *
 * @internal
 */
export const stringify = (value: unknown): string | undefined => {
  try {
    return JSON.stringify(value)
  } catch (error) {
    if (error instanceof RangeError) return stringifyIteratively(value)
    throw error
  }
}
