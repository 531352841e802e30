/**
 * A raw HttpClient walk of `GET /chat/sessions`, page by page: what a user
 * would write without the service.
 */
import { ChatSession, FakeOpenCx } from "@opencx-effect/core"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { Effect, Schema } from "effect"

export const baseUrl = "https://api.open.cx"

export const getPage = (query: Readonly<Record<string, string>>, token: string = FakeOpenCx.defaultApiKey) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    return yield* client.get(`${baseUrl}/chat/sessions`, {
      urlParams: query,
      headers: { authorization: `Bearer ${token}` }
    })
  })

export const decodePage = HttpClientResponse.schemaBodyJson(ChatSession.ListChatSessionsOutputStrict)

/** Walks every page; fails the test (as a defect) on anything but a 200. */
export const walk = (query: Readonly<Record<string, string>> = {}) =>
  Effect.gen(function*() {
    const items: Array<ChatSession.ChatSessionStrict> = []
    const cursors: Array<string> = []
    let cursor: string | null = null
    do {
      const response: HttpClientResponse.HttpClientResponse = yield* getPage(cursor === null ? query : { ...query, cursor })
      if (response.status !== 200) {
        return yield* Effect.dieMessage(`page ${cursors.length + 1}: status ${response.status}: ${yield* response.text}`)
      }
      const page: ChatSession.ListChatSessionsOutputStrict = yield* decodePage(response)
      items.push(...page.items)
      cursor = page.next
      if (cursor !== null) cursors.push(cursor)
    } while (cursor !== null)
    return { items, pages: cursors.length + 1, cursors }
  })

export const errorBody = (response: HttpClientResponse.HttpClientResponse) =>
  Effect.flatMap(response.json, Schema.decodeUnknown(ChatSession.ErrorDto))
