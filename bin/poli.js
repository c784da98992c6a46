#!/usr/bin/env node
// Runs the compiled poli in dist/ (built by `npm run build`, which `npm ci` and `npm pack` run through
// the `prepare` script). In a checkout whose sources are newer than dist/ (or with no dist/ at all),
// runs the TypeScript sources through tsx instead, so a checkout never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { URL } from 'node:url';

const root = new URL('../', import.meta.url);
const main = new URL('dist/main.js', root);

/** In a checkout (src/main.ts is not in the installed package), whether a source file is newer than dist/. */
function sourcesNewer(built) {
  const src = new URL('src/', root);
  if (!existsSync(new URL('main.ts', src))) return false;
  for (const file of readdirSync(src, { recursive: true })) {
    if (file.endsWith('.ts') && !file.endsWith('.test.ts') && statSync(new URL(file, src)).mtimeMs > built) return true;
  }
  return false;
}

const built = existsSync(main) ? statSync(main).mtimeMs : undefined;
if (built !== undefined && !sourcesNewer(built)) {
  await import(main.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('src/main.ts', root).href);
}
