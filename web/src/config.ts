/** Where the API and the WebSocket are: read at run time from config.json, which the deploy writes beside
 * the app (the local REST API's id changes when its routes change, so nothing is baked into the bundle). */
export interface AppConfig {
  apiUrl: string;
  websocketUrl: string;
  stage: string;
}

export async function loadConfig(): Promise<AppConfig> {
  // The default cache mode, so the page's preload of config.json is used; it is served with no-cache, so a
  // cached copy is revalidated, never trusted stale.
  const response = await fetch("./config.json");
  if (!response.ok) throw new Error(`config.json could not be read (${response.status})`);
  const body: unknown = await response.json();
  if (!isConfig(body)) throw new Error("config.json lacks apiUrl, websocketUrl or stage");
  return { ...body, apiUrl: body.apiUrl.replace(/\/$/, "") };
}

function isConfig(value: unknown): value is AppConfig {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return ["apiUrl", "websocketUrl", "stage"].every((key) => typeof record[key] === "string");
}
