/**
 * The history of a FakeOpenCx session: a deterministic, realistic
 * conversation, computed from the session itself when asked for (a million
 * sessions cost no memory, histories included).
 *
 * The conversation agrees with the session: it starts with the contact
 * asking and the AI answering, a few exchanges more; a session handed off
 * (a `handoff`, or `ai_closure_type: "handed_off"`) has a `handoff` event,
 * a human agent joining and answering (sometimes an internal comment, and
 * for an open session sometimes a takeover); a session the AI `resolved`
 * ends with the contact's thanks and `ai_resolved_issue`; an
 * `assumed_resolved` one ends with the AI's answer. Events are spread
 * between the session's `created_at` and `updated_at`, the last one at
 * `updated_at`.
 *
 * @internal
 */
import * as DateTime from "effect/DateTime"
import type { HistoryEventStrict, HistoryItemStrict } from "../../ChatHistory.js"
import type { ChatSessionStrict } from "../../ChatSession.js"
import { hash32 } from "../hash.js"
import { mix, pick, prng, uuidFrom } from "./data.js"

interface Topic {
  readonly ask: string
  readonly answer: string
  readonly followUps: ReadonlyArray<readonly [string, string]>
}

const topics: ReadonlyArray<Topic> = [
  {
    ask: "Hi, I was charged twice for my last order. Can you help?",
    answer: "I'm sorry about that! I can see two charges on your account. One of them is a pre-authorisation that will drop off within 3 business days.",
    followUps: [
      ["It has been a week already.", "Thanks for letting me know. In that case the second charge should have been released; let me check the payment status."],
      ["Can I get a refund for the duplicate?", "Refunds for duplicate charges are issued to the original payment method within 5 to 10 days."]
    ]
  },
  {
    ask: "I need to change the shipping address on my order.",
    answer: "Sure. Could you share the order number and the new address?",
    followUps: [
      ["Order A-104233, new address is 12 Canal Street, Amsterdam.", "Thanks! The order has not shipped yet, so the address can still be updated."],
      ["Will this delay the delivery?", "No, the delivery estimate stays the same."]
    ]
  },
  {
    ask: "The app crashes every time I try to log in.",
    answer: "Sorry about that. Which version of the app are you using, and on which device?",
    followUps: [
      ["Version 4.2 on an iPhone 13.", "Thanks. Version 4.2.1 fixes a login crash on iOS; could you update the app and try again?"],
      ["Still crashing after the update.", "Could you try signing out of all devices from the web dashboard, then logging in again?"]
    ]
  },
  {
    ask: "What is included in the enterprise plan?",
    answer: "The enterprise plan includes SSO, audit logs, a dedicated success manager and a 99.95% uptime SLA.",
    followUps: [
      ["How much does it cost for 200 seats?", "Enterprise pricing depends on volume; I can connect you with our sales team for a quote."],
      ["Do you offer a trial?", "Yes, a 30-day trial with all enterprise features."]
    ]
  },
  {
    ask: "How do I cancel my subscription?",
    answer: "You can cancel from Settings > Billing > Cancel subscription. Your plan stays active until the end of the billing period.",
    followUps: [
      ["I don't see that option.", "The option is only visible to workspace owners. Are you the owner of this workspace?"],
      ["Can I get a refund for this month?", "Refunds for the current month are possible within 14 days of the renewal date."]
    ]
  }
]

const agentNames = ["Sam Carter", "Noor Haddad", "Lena Vogel", "Mateo Ruiz", "Aiko Tanaka", "Priya Nair"]

const files: ReadonlyArray<readonly [string, string]> = [
  ["screenshot.png", "image/png"],
  ["invoice.pdf", "application/pdf"],
  ["photo.jpg", "image/jpeg"]
]

/** the history of `session`, oldest first */
export const historyOf = (session: ChatSessionStrict, seed: number): ReadonlyArray<HistoryItemStrict> => {
  const next = prng(mix(seed, hash32(session.id)))
  const topic = pick(next(), topics)
  const contactName = session.contact?.name ?? session.contact?.non_verified_name ?? null
  const contact = contactName === null ? { type: "contact" as const } : { type: "contact" as const, name: contactName }
  const ai = { type: "ai" as const, name: "AI Agent" }
  const events: Array<HistoryEventStrict> = []
  const say = (sender: { readonly type: "contact" | "ai" | "human_agent"; readonly name?: string }, text: string) => {
    const attach = sender.type === "contact" && next() < 0.08
    if (!attach) {
      events.push({ type: "message", sender, content: { type: "text", text } })
      return
    }
    const [name, type] = pick(next(), files)
    const id = uuidFrom(next)
    events.push({
      type: "message",
      sender,
      content: { type: "text", text },
      attachments: [{ id, name, size: 10_000 + Math.floor(next() * 900_000), type, url: `https://files.open.cx/attachments/${id}/${name}` }]
    })
  }

  say(contact, topic.ask)
  say(ai, topic.answer)
  const exchanges = Math.floor(next() * (topic.followUps.length + 1))
  for (let k = 0; k < exchanges; k++) {
    const [question, answer] = topic.followUps[k]!
    say(contact, question)
    say(ai, answer)
  }

  const handedOff = session.handoff !== undefined || session.ai_closure_type === "handed_off"
  if (handedOff) {
    if (next() < 0.6) say(contact, "Can I talk to a person, please?")
    events.push(
      session.ticketing_system?.name === "zendesk" ? { type: "handoff", integration: { type: "zendesk" } } : { type: "handoff" }
    )
    const agentId = 1 + Math.floor(next() * 40)
    const agent = { type: "human_agent" as const, name: pick(next(), agentNames) }
    events.push({ type: "human_agent_joined", human_agent_id: agentId })
    if (next() < 0.3) {
      events.push({
        type: "human_agent_comment",
        human_agent_id: agentId,
        content: { type: "text", text: session.handoff?.summary ?? "Escalated by the AI agent." }
      })
    }
    say(agent, `Hi${contactName === null ? "" : ` ${contactName.split(" ")[0]}`}, this is ${agent.name}. I've read the conversation and I'm looking into it now.`)
    if (session.status === "open" && next() < 0.3) events.push({ type: "human_agent_takeover", human_agent_id: agentId })
    if (next() < 0.7) say(contact, "Thank you!")
    if (session.status !== "open") say(agent, "This is sorted now. Have a great day!")
  } else if (session.ai_closure_type === "resolved") {
    say(contact, "That solved it, thanks!")
    events.push({ type: "ai_resolved_issue" })
  } else if (session.status === "open" && next() < 0.5) {
    say(contact, "Okay, let me check and get back to you.")
  }

  // spread the events between created_at and updated_at, the last one at updated_at
  const start = DateTime.toEpochMillis(session.created_at)
  const end = Math.max(start, DateTime.toEpochMillis(session.updated_at))
  const gaps = events.map(() => 0.2 + next())
  const total = gaps.reduce((a, b) => a + b, 0)
  let elapsed = 0
  return events.map((event, k) => {
    elapsed += gaps[k]!
    const at = k === events.length - 1 ? end : start + Math.floor(((end - start) * elapsed) / total)
    return { id: uuidFrom(next), created_at: DateTime.unsafeMake(at), event }
  })
}
