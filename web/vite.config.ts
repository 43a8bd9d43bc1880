import { defineConfig } from "vite";

// Relative asset paths: the app is served under a path (the emulator's bucket URL) or at a root (CloudFront).
export default defineConfig({
  base: "./",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true, sourcemap: false },
});
