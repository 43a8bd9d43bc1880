import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";

/** A screen whose module is fetched the first time it is shown (a chunk of its own), so the first screen's
 * JavaScript does not carry the others. A failed fetch says so and is tried again on the next visit. */
export function lazyScreen<P extends object = object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<ComponentType<P>> | null = null;
  return function LazyScreen(props: P) {
    const [Screen, setScreen] = useState<ComponentType<P> | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (Screen) return;
      let gone = false;
      pending ??= load().then((component) => (loaded = component));
      pending.then(
        (component) => !gone && setScreen(() => component),
        () => {
          pending = null;
          if (!gone) setFailed(true);
        },
      );
      return () => {
        gone = true;
      };
    }, [Screen]);
    if (failed) return <p role="alert" class="error">This screen could not be loaded: check the connection and open it again.</p>;
    return Screen ? <Screen {...props} /> : <p>Loading…</p>;
  };
}
