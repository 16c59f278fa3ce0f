// ESLint for the app's ES modules: the mistakes Prettier cannot see (a name used but never
// defined or imported, an unused one). Style is Prettier's alone.
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: "module",
      // Pages and the service worker both import modules from here (sync.js, outbox.js).
      globals: { ...globals.browser, ...globals.serviceworker },
    },
    rules: {
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
    },
  },
  {
    files: ["tests/js/**/*.mjs", "eslint.config.mjs"],
    // fake-indexeddb/auto puts IndexedDB's classes where a browser has them.
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: "module",
      globals: { ...globals.node, IDBDatabase: "readonly" },
    },
  },
];
