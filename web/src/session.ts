import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, paths } from "./api/schema";

export type TokenPair = components["schemas"]["TokenPair"];
export type Api = Client<paths>;

const REFRESH_KEY = "deepiri.refresh";
const EARLY_MS = 30_000; // refresh this long before the access token expires

/**
 * The signed-in session. The access token lives only in memory (never in storage a script could read
 * later, never in the bundle); the refresh token is kept in sessionStorage so a reload of this tab stays
 * signed in. Refresh tokens rotate on every use and a reused one revokes its family, so refreshes are
 * single-flight: concurrent requests wait for the one refresh in progress.
 */
export class Session {
  private accessToken: string | null = null;
  private expiresAt = 0;
  private inFlight: Promise<boolean> | null = null;
  private listeners = new Set<(signedIn: boolean) => void>();
  private readonly plain: Api;

  constructor(readonly apiUrl: string) {
    this.plain = createClient<paths>({ baseUrl: apiUrl });
  }

  get signedIn(): boolean {
    return this.accessToken !== null || sessionStorage.getItem(REFRESH_KEY) !== null;
  }

  onChange(listener: (signedIn: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  accept(tokens: TokenPair): void {
    this.accessToken = tokens.accessToken;
    this.expiresAt = Date.now() + tokens.expiresIn * 1000;
    sessionStorage.setItem(REFRESH_KEY, tokens.refreshToken);
    this.emit(true);
  }

  /** A valid access token, refreshed first when it is about to expire; null when signed out. */
  async token(): Promise<string | null> {
    if (this.accessToken && Date.now() < this.expiresAt - EARLY_MS) return this.accessToken;
    return (await this.refresh()) ? this.accessToken : null;
  }

  /** Rotate the refresh token once, however many callers ask at the same time. */
  refresh(): Promise<boolean> {
    this.inFlight ??= this.rotate().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  private async rotate(): Promise<boolean> {
    const refreshToken = sessionStorage.getItem(REFRESH_KEY);
    if (!refreshToken) return false;
    const { data } = await this.plain.POST("/api/auth/refresh", { body: { refreshToken } });
    if (!data) {
      this.forget();
      return false;
    }
    this.accept(data);
    return true;
  }

  /** Sign out of this session (its refresh token ends on the server), or of every session. */
  async signOut(api: Api, everywhere: boolean): Promise<void> {
    const refreshToken = sessionStorage.getItem(REFRESH_KEY);
    try {
      if (everywhere) await api.POST("/api/auth/logout-all");
      else if (refreshToken) await api.POST("/api/auth/logout", { body: { refreshToken } });
    } finally {
      this.forget();
    }
  }

  forget(): void {
    const was = this.signedIn;
    this.accessToken = null;
    this.expiresAt = 0;
    sessionStorage.removeItem(REFRESH_KEY);
    if (was) this.emit(false);
  }

  private emit(signedIn: boolean): void {
    for (const listener of this.listeners) listener(signedIn);
  }
}

/** The typed API client: every call carries a fresh access token; a 401 refreshes once and retries. */
export function apiClient(session: Session): Api {
  const client = createClient<paths>({ baseUrl: session.apiUrl });
  const originals = new Map<string, Request>();
  const auth: Middleware = {
    async onRequest({ request, id }) {
      const token = await session.token();
      if (token) request.headers.set("Authorization", `Bearer ${token}`);
      originals.set(id, request.clone());
      return request;
    },
    async onResponse({ response, id }) {
      const original = originals.get(id);
      originals.delete(id);
      if (response.status !== 401 || !original) return response;
      if (!(await session.refresh())) return response;
      const token = await session.token();
      if (token) original.headers.set("Authorization", `Bearer ${token}`);
      return fetch(original);
    },
    onError({ id }) {
      originals.delete(id);
    },
  };
  client.use(auth);
  return client;
}

/** What a problem+json answer (or a network failure) says, for a person. */
export function problemText(error: unknown, fallback = "Something went wrong"): string {
  if (typeof error === "object" && error !== null) {
    const record = error as Record<string, unknown>;
    if (typeof record.detail === "string") return record.detail;
    if (typeof record.title === "string") return record.title;
  }
  return fallback;
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response?: Response;
}

/** A read tried again (up to ``attempts`` times, 1 s, 2 s, 4 s apart) while the stack answers 5xx or cannot
 * be reached: a cold or busy function should not leave a screen empty. Other answers are returned as they are. */
export async function retried<T>(read: () => Promise<Answer<T>>, attempts = 4): Promise<Answer<T>> {
  let answer: Answer<T> = {};
  for (let attempt = 0; attempt < attempts; attempt++) {
    answer = await read().catch((error: unknown) => ({ error }));
    const status = answer.response?.status ?? 0;
    if (answer.data !== undefined || (status > 0 && status < 500)) return answer;
    if (attempt < attempts - 1) await new Promise((resolve) => window.setTimeout(resolve, 1000 * 2 ** attempt));
  }
  return answer;
}
