// ESLint (flat config) with typescript-eslint's type-aware rules: the promises
// nobody awaits and the switches that forget a state are errors (ADR 0040).
// Formatting is Prettier's (`.prettierrc.json`); ESLint does not judge layout.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "build/**",
      "public/build/**",
      "public/seal/**",
      "data/**",
      ".cache/**",
      "test-results/**",
      "playwright-report/**",
      "tests/e2e/.artifacts/**",
      "tests/fixtures/lint/**",
    ],
  },
  {
    files: ["**/*.ts", "**/*.tsx"],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // Drizzle's queries are thenables, not Promises: a forgotten `db.insert(…)` never runs, so thenables count.
      "@typescript-eslint/no-floating-promises": ["error", { checkThenables: true }],
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      // Control characters in a pattern are the point where input is cleaned (file names, PDF text, headers).
      "no-control-regex": "off",
    },
  },
  {
    // Tests read loosely typed answers (loader data, JSON documents) and assert on them.
    files: ["tests/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
