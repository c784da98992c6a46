import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'mocks/**/*.test.ts', 'test/**/*.test.ts'],
    // The real Claude Code / Codex tests install ~300 MB of CLIs: they have their own command
    // (npm run test:real-cli) and config.
    exclude: ['test/real-cli/**', 'node_modules/**'],
    // Integration tests drive real tmux servers; each owns a private socket, but two cores
    // are easily saturated, so keep file-level parallelism modest.
    maxWorkers: 2,
    // Limits for hangs, never measurements: beside another heavy job (load 15–19 on 2 cores) a whole-dialogue test
    // that takes 8 s on an idle machine took over 30 s.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
