import { type ComponentChild, render } from "preact";
import { App } from "./app";
import { loadConfig } from "./config";
import "./styles.css";

const root = document.getElementById("app");
if (root) {
  const start = (node: ComponentChild) => {
    root.textContent = ""; // the "Loading" line is the page's own, not Preact's to diff against
    render(node, root);
  };
  loadConfig().then(
    (config) => start(<App config={config} />),
    (error: Error) => start(<p role="alert" class="boot">The app could not start: {error.message}</p>),
  );
}
