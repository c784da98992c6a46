import { defineConfig } from 'vitest/config';

/**
 * The real-CLI tests: `npm run test:real-cli` (test/real-cli/run.mjs; `-- --latest` for the newest versions). They
 * install every real CLI (Claude Code, Codex, Gemini CLI, Qwen Code, opencode, pi, Copilot CLI; ~1.6 GB) into a cache
 * folder on first use and start each in tmux, so they run one file at a time with long timeouts. POLI_REAL_CLI=1 switches them on (the default test run skips them).
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
