/**
 * The page (issue 21, item 2): the files of `web/` (plain ES modules, no build step) and, under `/vendor/`, xterm and
 * its fit add-on from node_modules. Only top-level files of web/ with a known extension are served: no directory
 * listing, no path outside it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { notFound } from './http-errors.ts';

const WEB_FILE = /^[A-Za-z0-9][A-Za-z0-9_.-]*\.(html|js|mjs|css|svg|png|ico|webmanifest|json)$/;

/** `/vendor/<name>` → package and file inside it (the ES module builds: the page imports them). */
const VENDOR: Readonly<Record<string, { pkg: string; files: readonly string[] }>> = {
  'xterm.js': { pkg: '@xterm/xterm', files: ['lib/xterm.mjs', 'lib/xterm.js'] },
  'xterm.css': { pkg: '@xterm/xterm', files: ['css/xterm.css'] },
  'addon-fit.js': { pkg: '@xterm/addon-fit', files: ['lib/addon-fit.mjs', 'lib/addon-fit.js'] },
};

/** Where a vendor file is, or undefined when its package is not installed. */
export function vendorFile(name: string): string | undefined {
  const entry = VENDOR[name];
  if (entry === undefined) return undefined;
  let root: string;
  try {
    root = path.dirname(createRequire(import.meta.url).resolve(`${entry.pkg}/package.json`));
  } catch {
    return undefined;
  }
  return entry.files.map((f) => path.join(root, f)).find((f) => existsSync(f));
}

export async function registerStaticRoutes(app: FastifyInstance, webDir: string): Promise<void> {
  // Only `reply.sendFile`: each route below says what may be served.
  await app.register(fastifyStatic, { root: webDir, serve: false, cacheControl: false, etag: false, lastModified: false });

  app.get('/', async (_request, reply) => reply.sendFile('index.html', webDir));

  app.get<{ Params: { file: string } }>('/:file', async (request, reply) => {
    const { file } = request.params;
    if (!WEB_FILE.test(file) || !existsSync(path.join(webDir, file))) throw notFound(`no page file ${file}`);
    return reply.sendFile(file, webDir);
  });

  app.get<{ Params: { file: string } }>('/vendor/:file', async (request, reply) => {
    const found = vendorFile(request.params.file);
    if (found === undefined) throw notFound(`no vendor file ${request.params.file} (is ${VENDOR[request.params.file]?.pkg ?? 'it'} installed?)`);
    return reply.sendFile(path.basename(found), path.dirname(found));
  });
}
