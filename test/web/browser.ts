/**
 * The browser for the dashboard tests: Debian's Chromium driven by playwright-core (which cannot download browsers
 * here). `POLI_CHROMIUM` names another executable. Without one the tests skip and say why, unless
 * `POLI_REQUIRE_BROWSER=1` (set by .ci/run, which installs chromium) makes a missing browser a failure.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers/poli-process.ts';

/** The Chromium executable the tests drive. */
export const CHROMIUM = process.env.POLI_CHROMIUM ?? '/usr/bin/chromium';
/** Why the browser tests cannot run here, or undefined when they can. */
export const NO_BROWSER = existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set POLI_CHROMIUM)`;
/** A missing browser fails the run instead of skipping it. */
export const BROWSER_REQUIRED = process.env.POLI_REQUIRE_BROWSER === '1';
/** Where the screenshots go (git-ignored): people look at them. */
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results', 'screenshots');

/** How long an upgrade request waits for the server's answer (a limit for hangs). */
const UPGRADE_ANSWER_MS = 20_000;

export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/** Starts headless Chromium. Its sandbox needs user namespaces, which containers (and root) often lack. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** A page of a fresh context (its own cookies and sessionStorage) of the given size; page errors fail loudly in the log. */
export async function openPage(browser: Browser, size: { width: number; height: number }, phone = false): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: size, ...(phone ? { isMobile: true, hasTouch: true } : {}) });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

/** The text of a live pane's xterm rows as the page shows it. */
export async function paneText(page: Page, role: 'planner' | 'executer'): Promise<string> {
  return page.locator(`.pane[data-role="${role}"] .xterm-rows`).innerText();
}

/**
 * Asks for a WebSocket upgrade over a bare TCP socket (Node 20 has no global WebSocket, and its HTTP client does not
 * always report a refused upgrade) and returns the status of the server's answer: 101 when it accepted the socket.
 */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  const target = new URL(url);
  const lines = [
    `GET ${target.pathname}${target.search} HTTP/1.1`,
    `Host: ${target.host}`,
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(target.port), target.hostname, () => socket.write(`${lines.join('\r\n')}\r\n\r\n`));
    let head = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      head += chunk;
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (status === null) return;
      socket.destroy();
      resolve(Number(status[1]));
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`the server closed the connection without answering the upgrade of ${url}`)));
    // A server that neither accepts nor refuses would hang the test: that is a failure of its own.
    socket.setTimeout(UPGRADE_ANSWER_MS, () => {
      socket.destroy();
      reject(new Error(`no answer to the WebSocket upgrade of ${url} within ${UPGRADE_ANSWER_MS} ms`));
    });
  });
}
