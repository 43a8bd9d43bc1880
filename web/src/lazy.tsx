import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";

/** A screen whose code is fetched the first time it is opened (a chunk of its own), so the first screen's
 * JavaScript stays small. A failed fetch says so instead of leaving the screen blank. */
export function lazyScreen(load: () => Promise<ComponentType>): ComponentType {
  let loaded: ComponentType | null = null;
  return function LazyScreen() {
    const [Screen, setScreen] = useState<ComponentType | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (loaded) return;
      load().then((component) => {
        loaded = component;
        setScreen(() => component);
      }, () => setFailed(true));
    }, []);
    if (failed) return <p role="alert" class="error">This screen could not be loaded; reload the page.</p>;
    return Screen ? <Screen /> : <p>Loading…</p>;
  };
}
