import createClient from "openapi-fetch";
import { useMemo, useState } from "preact/hooks";
import type { paths } from "../api/schema";
import { problemText, type Session } from "../session";

/** Sign in, or sign up: both answer a token pair, which the session keeps. */
export function AuthScreen({ session }: { session: Session }) {
  const api = useMemo(() => createClient<paths>({ baseUrl: session.apiUrl }), [session]);
  const [mode, setMode] = useState<"signin" | "signup">("signin");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const email = String(form.get("email") ?? "");
    const password = String(form.get("password") ?? "");
    setBusy(true);
    setError(null);
    try {
      if (mode === "signup") {
        const displayName = String(form.get("displayName") ?? "");
        const { data, error: problem } = await api.POST("/api/auth/register", { body: { email, password, displayName } });
        if (data) session.accept(data.tokens);
        else setError(problemText(problem, "Sign-up failed"));
      } else {
        const { data, error: problem } = await api.POST("/api/auth/login", { body: { email, password } });
        if (data) session.accept(data);
        else setError(problemText(problem, "Sign-in failed"));
      }
    } catch {
      setError("The API could not be reached");
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="auth">
      <h1>Deepiri</h1>
      <p>Plan your work, finish it, level up.</p>
      <div class="tabs" role="group" aria-label="Sign in or sign up">
        <button type="button" aria-pressed={mode === "signin"} onClick={() => setMode("signin")}>Sign in</button>
        <button type="button" aria-pressed={mode === "signup"} onClick={() => setMode("signup")}>Sign up</button>
      </div>
      <form onSubmit={(event) => void submit(event)} aria-label={mode === "signup" ? "Sign up" : "Sign in"}>
        {mode === "signup" && (
          <label>
            Display name
            <input name="displayName" required minLength={1} maxLength={80} autoComplete="nickname" />
          </label>
        )}
        <label>
          Email
          <input name="email" type="email" required autoComplete="email" />
        </label>
        <label>
          Password
          <input name="password" type="password" required minLength={8}
            autoComplete={mode === "signup" ? "new-password" : "current-password"} />
        </label>
        {error && <p role="alert" class="error">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{mode === "signup" ? "Create account" : "Sign in"}</button>
      </form>
    </main>
  );
}
