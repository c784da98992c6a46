#!/usr/bin/env node
// `npm run test:real-cli [-- --latest] [vitest arguments]`: runs the real-CLI tests with vitest. `--latest` (which
// vitest itself would reject) runs them against the newest published version of every CLI, installed into a separate
// cache folder (same as POLI_REAL_CLI_LATEST=1).
import { spawn } from 'node:child_process';
import process from 'node:process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const latest = args.includes('--latest');
const vitest = join(dirname(fileURLToPath(import.meta.resolve('vitest/package.json'))), 'vitest.mjs');
const config = join(dirname(fileURLToPath(import.meta.url)), 'vitest.config.ts');
const child = spawn(process.execPath, [vitest, 'run', '--config', config, ...args.filter((arg) => arg !== '--latest')], {
  stdio: 'inherit',
  env: latest ? { ...process.env, POLI_REAL_CLI_LATEST: '1' } : process.env,
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
