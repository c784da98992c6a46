import { defineConfig } from 'vitest/config';

/**
 * The real-CLI tests: `npx vitest run --config test/real-cli/vitest.config.ts`. They install Claude Code and Codex
 * into a cache folder on first use (~300 MB) and start each in tmux, so they run one file at a time with long
 * timeouts. POLI_REAL_CLI=1 switches them on (the default test run skips them).
 */
export default defineConfig({
  test: {
    include: ['test/real-cli/**/*.test.ts'],
    env: { POLI_REAL_CLI: '1' },
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 600_000,
  },
});
