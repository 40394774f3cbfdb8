/// <reference types="vitest/config" />
import { defineConfig } from "vite";

// The UI is served from the app's embedded assets (tauri://localhost), never from a dev
// server: relative asset paths, one small bundle, and a target WebKitGTK 2.40+ understands.
export default defineConfig({
  base: "./",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "safari15",
    sourcemap: false,
    chunkSizeWarningLimit: 300,
  },
  test: {
    include: ["src/**/*.test.{ts,tsx}"],
    environment: "node",
  },
});
