import { ChatSession } from "@opencx-effect/core"
import { NodeFakeOpenCx } from "@opencx-effect/platform-node"
import { Schema } from "effect"

// A real server on 127.0.0.1 for anything that speaks HTTP, Effect or not.
export const main = async () => {
  const fake = await NodeFakeOpenCx.start({ generate: { count: 500, seed: 7 }, pageSize: 50 })
  try {
    const response = await fetch(`${fake.url}/chat/sessions?channel_type=email`, {
      headers: { authorization: `Bearer ${fake.apiKey}` }
    })
    const page = Schema.decodeUnknownSync(ChatSession.ListChatSessionsOutputStrict)(await response.json())
    return { status: response.status, items: page.items.length, more: page.next !== null }
  } finally {
    await fake.stop()
  }
}
