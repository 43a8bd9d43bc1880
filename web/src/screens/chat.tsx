import { useEffect, useRef, useState } from "preact/hooks";
import type { components } from "../api/schema";
import { useServices } from "../context";
import { problemText } from "../session";

type Message = components["schemas"]["ChatMessage"];

const MAX_MESSAGES = 20; // the chat route takes 1 to 20 messages of at most 2,000 characters
const MAX_CHARS = 2000;
const SUGGESTIONS = ["What is due?", "What should I do next?", "How am I doing?"];

/** The assistant: asks `POST /api/agent/chat` with the conversation so far; it answers from the caller's own
 * tasks, challenges and progress (and may add a task or make a challenge when asked). */
export function ChatScreen() {
  const { api } = useServices();
  const [messages, setMessages] = useState<Message[]>([]);
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const end = useRef<HTMLLIElement>(null);

  useEffect(() => end.current?.scrollIntoView({ block: "nearest" }), [messages, busy]);

  const ask = async (question: string) => {
    const content = question.trim();
    if (!content || busy) return;
    const asked = [...messages, { role: "user" as const, content }];
    setMessages(asked);
    setText("");
    setBusy(true);
    setError(null);
    const { data, error: problem } = await api.POST("/api/agent/chat", { body: { messages: asked.slice(-MAX_MESSAGES) } });
    setBusy(false);
    if (data) setMessages([...asked, { role: "assistant", content: data.reply }]);
    else setError(problemText(problem, "The assistant could not answer"));
  };

  const submit = (event: Event) => {
    event.preventDefault();
    void ask(text);
  };

  return (
    <section aria-labelledby="chat-title" class="chat">
      <h1 id="chat-title">Assistant</h1>
      <p class="muted">Ask about your own tasks, deadlines and progress, or ask it to add a task or make a challenge.</p>
      <div role="log" aria-live="polite" aria-label="Conversation">
        <ol class="plain conversation" data-testid="conversation">
          {messages.map((message, index) => (
            <li class={`message message-${message.role}`} key={index} data-testid={`message-${message.role}`}>
              <span class="visually-hidden">{message.role === "user" ? "You said:" : "Assistant:"} </span>{message.content}
            </li>
          ))}
          {busy && <li class="message message-assistant muted">Thinking…</li>}
          <li ref={end} aria-hidden="true" class="end" />
        </ol>
      </div>
      {error && <p role="alert" class="error">{error}</p>}
      {messages.length === 0 && (
        <div class="actions" role="group" aria-label="Suggestions">
          {SUGGESTIONS.map((s) => <button type="button" key={s} disabled={busy} onClick={() => void ask(s)}>{s}</button>)}
        </div>
      )}
      <form class="add" onSubmit={submit} aria-label="Ask the assistant">
        <label for="question">Your question</label>
        <div class="row">
          <input id="question" value={text} required maxLength={MAX_CHARS} autoComplete="off"
            onInput={(event) => setText((event.currentTarget as HTMLInputElement).value)} />
          <button type="submit" class="primary" disabled={busy}>Ask</button>
        </div>
      </form>
    </section>
  );
}
