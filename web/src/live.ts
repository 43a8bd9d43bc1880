import type { Session } from "./session";

/** A server frame: `{type, id, ts, channel, data}` (see the README's realtime protocol). */
export interface Frame {
  type: string;
  id?: string;
  ts?: string;
  channel?: string;
  requestId?: string;
  data?: Record<string, unknown>;
}

export type LiveState = "connecting" | "open" | "closed";

const PING_MS = 60_000; // the server closes a connection silent for 120 s
const MAX_BACKOFF_MS = 30_000;
const CONNECT_TIMEOUT_MS = 15_000; // a handshake stuck this long is abandoned and retried
const SEEN_LIMIT = 500;
const SUBSCRIBE_ATTEMPTS = 10; // a duel's channel rights reach realtime through the bus, seconds after the duel

/**
 * One WebSocket per signed-in tab. Frames are dropped when their event id was seen already; a lost
 * connection (or a handshake that hangs for 15 s) is reopened with exponential backoff (1 s, 2 s, 4 s …
 * 30 s, with jitter), and each reopening
 * after the first tells the listeners to catch up on what they may have missed (through the REST API).
 */
export class Live {
  private socket: WebSocket | null = null;
  private attempts = 0;
  private opened = false;
  private stopped = true;
  private retry: number | undefined;
  private ping: number | undefined;
  private seen: string[] = [];
  private frameListeners = new Set<(frame: Frame) => void>();
  private stateListeners = new Set<(state: LiveState) => void>();
  private catchUpListeners = new Set<() => void>();
  private channels = new Map<string, number>(); // channel → how many screens asked for it
  private refusals = new Map<string, number>();

  constructor(private readonly url: string, private readonly session: Session) {}

  onFrame(listener: (frame: Frame) => void): () => void {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  }

  onState(listener: (state: LiveState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onCatchUp(listener: () => void): () => void {
    this.catchUpListeners.add(listener);
    return () => this.catchUpListeners.delete(listener);
  }

  /** Keep this connection subscribed to ``channel`` (again after every reconnection) until the returned
   * function is called. A refused subscription is asked again with backoff, a bounded number of times: the
   * right to a duel's channel reaches realtime through the bus a few seconds after the duel is made. */
  subscribe(channel: string): () => void {
    this.channels.set(channel, (this.channels.get(channel) ?? 0) + 1);
    if (this.channels.get(channel) === 1) this.send({ action: "subscribe", channel, requestId: `subscribe:${channel}` });
    return () => {
      const left = (this.channels.get(channel) ?? 1) - 1;
      if (left > 0) return void this.channels.set(channel, left);
      this.channels.delete(channel);
      this.refusals.delete(channel);
      this.send({ action: "unsubscribe", channel });
    };
  }

  /** Send a client message (see the README's realtime protocol); dropped while the connection is down. */
  send(message: Record<string, unknown>): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  start(): void {
    this.stopped = false;
    void this.open();
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.retry);
    window.clearInterval(this.ping);
    this.socket?.close(1000);
    this.socket = null;
    this.opened = false;
    this.attempts = 0;
  }

  private async open(): Promise<void> {
    if (this.stopped) return;
    this.setState("connecting");
    const token = await this.session.token();
    if (!token || this.stopped) return;
    const socket = new WebSocket(`${this.url}?token=${encodeURIComponent(token)}`);
    this.socket = socket;
    const stuck = window.setTimeout(() => {
      if (socket.readyState === WebSocket.CONNECTING) socket.close();
    }, CONNECT_TIMEOUT_MS);
    socket.onopen = () => {
      window.clearTimeout(stuck);
      const reopened = this.opened;
      this.opened = true;
      this.attempts = 0;
      this.setState("open");
      this.ping = window.setInterval(() => this.send({ action: "ping" }), PING_MS);
      for (const channel of this.channels.keys()) this.send({ action: "subscribe", channel, requestId: `subscribe:${channel}` });
      if (reopened) for (const listener of this.catchUpListeners) listener();
    };
    socket.onmessage = (message) => this.receive(message.data);
    socket.onclose = () => {
      window.clearTimeout(stuck);
      window.clearInterval(this.ping);
      if (this.socket === socket) this.socket = null;
      this.setState("closed");
      if (!this.stopped) this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.attempts) * (0.75 + Math.random() * 0.5);
    this.attempts += 1;
    this.retry = window.setTimeout(() => void this.open(), delay);
  }

  private resubscribe(frame: Frame): void {
    const channel = frame.requestId?.replace(/^subscribe:/, "") ?? "";
    if (frame.type === "subscribed") return void this.refusals.delete(channel);
    if (!this.channels.has(channel)) return;
    const refused = (this.refusals.get(channel) ?? 0) + 1;
    this.refusals.set(channel, refused);
    if (refused >= SUBSCRIBE_ATTEMPTS) return;
    window.setTimeout(() => {
      if (this.channels.has(channel)) this.send({ action: "subscribe", channel, requestId: `subscribe:${channel}` });
    }, Math.min(8000, 500 * 2 ** refused));
  }

  private receive(raw: unknown): void {
    if (typeof raw !== "string") return;
    let frame: Frame;
    try {
      frame = JSON.parse(raw) as Frame;
    } catch {
      return;
    }
    if (frame.id) {
      if (this.seen.includes(frame.id)) return;
      this.seen.push(frame.id);
      if (this.seen.length > SEEN_LIMIT) this.seen.shift();
    }
    if (frame.requestId?.startsWith("subscribe:")) this.resubscribe(frame);
    for (const listener of this.frameListeners) listener(frame);
  }

  private setState(state: LiveState): void {
    for (const listener of this.stateListeners) listener(state);
  }
}
