/**
 * Issue 21, "Tested in a real browser": `poli work --serve` runs two mock pairs (plans need approval) on a private tmux
 * socket, and Chromium opens the URL it printed. The page shows both tasks running and their live panes changing,
 * a plan approved from its card reaches the executer, a task added from the form runs to merged; requests without the
 * token, with a foreign Origin, and a WebSocket without the token are refused. Screenshots at 1280×800 and 390×844
 * go to test-results/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { type PoliRun } from '../helpers/poli-process.ts';
import { LOADED_WAIT_MS } from '../helpers/waits.ts';
import { QUEUE_TEST_MS, type QueueWorld, createQueueWorld } from '../queue/queue-world.ts';
import { BROWSER_REQUIRED, DESKTOP, NO_BROWSER, PHONE, launchChromium, openPage, paneText, screenshot, upgradeStatus } from './browser.ts';

if (NO_BROWSER && !BROWSER_REQUIRED) console.warn(`test/web/dashboard.test.ts skipped: ${NO_BROWSER}`);

describe.runIf(NO_BROWSER && BROWSER_REQUIRED)('the browser the dashboard tests need', () => {
  it('is installed (POLI_REQUIRE_BROWSER=1)', () => {
    expect.fail(`${NO_BROWSER}; POLI_REQUIRE_BROWSER=1 makes that a failure`);
  });
});

/** Slow enough mocks that a person (and the test) sees them work; the clock row makes the panes change while idle. */
const MOCK_ENV = { MOCK_THINK_MS: '2000', MOCK_ANIMATE_MS: '700' };
const URL_LINE = /poli: dashboard at (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/;

describe.skipIf(NO_BROWSER !== undefined)('the dashboard in Chromium', () => {
  let world: QueueWorld;
  let work: PoliRun;
  let browser: Browser;
  let url: URL;
  let origin: string;
  let token: string;

  beforeAll(async () => {
    world = await createQueueWorld();
    for (const text of ['Create alpha.txt containing ALPHA', 'Create bravo.txt containing BRAVO']) {
      const added = await world.poli(['add', text]);
      expect(added.code, added.stderr).toBe(0);
    }
    // --serve keeps the worker (and its dashboard) once the queue is drained (as --watch), so the page still answers at the end.
    work = world.start(['work', '--serve', '--port', '0', '--parallel', '2', '--approve', 'plans'], { ...world.mockEnv, ...MOCK_ENV });
    await work.waitFor(URL_LINE);
    url = new URL(URL_LINE.exec(work.stdout())?.[1] ?? '');
    origin = url.origin;
    token = url.searchParams.get('token') ?? '';
    browser = await launchChromium();
  }, QUEUE_TEST_MS);

  afterAll(async () => {
    await browser?.close();
    if (work && work.child.exitCode === null) {
      work.child.kill('SIGTERM');
      await work.exited;
    }
    await world?.cleanup();
  }, QUEUE_TEST_MS);

  it('refuses a request without the token, a mutating request from another Origin, and a WebSocket without the token', async () => {
    const bare = await fetch(`${origin}/api/tasks`);
    expect(bare.status).toBe(401);
    expect(((await bare.json()) as { error: string }).error).toBe('unauthorized');
    expect((await fetch(`${origin}/`)).status).toBe(401);
    expect((await fetch(`${origin}/api/tasks`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);

    const evil = await fetch(`${origin}/api/tasks`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, Origin: 'http://evil.example', 'Content-Type': 'application/json' },
      body: JSON.stringify({ task: 'Create evil.txt containing EVIL' }),
    });
    expect(evil.status).toBe(403);
    expect(((await evil.json()) as { error: string }).error).toBe('forbidden-origin');

    const ws = `${origin}/api/tasks/T1/panes/planner/ws`;
    expect(await upgradeStatus(ws)).toBe(401);
    expect(await upgradeStatus(`${ws}?token=${token}`, { Origin: 'http://evil.example' })).toBe(403);
    // The same socket with the token is accepted: the refusals above are the token's and the Origin's doing.
    expect(await upgradeStatus(`${ws}?token=${token}`, { Origin: origin })).toBe(101);
    // Nothing was added by the refused POST.
    const tasks = (await (await fetch(`${origin}/api/tasks`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { tasks: { id: string }[] };
    expect(tasks.tasks.map((t) => t.id).sort()).toEqual(['T1', 'T2']);
  });

  it(
    'shows two running pairs with live panes, takes a plan approval from a card, and runs a task added from the form',
    async () => {
      const { page, errors } = await openPage(browser, DESKTOP);
      await page.goto(url.href);
      // The token leaves the address bar at once.
      await expect.poll(() => page.url(), { timeout: LOADED_WAIT_MS }).toBe(`${origin}/`);

      // Both tasks are running (their plans wait for approval, so they stay running).
      await waitForRow(page, 'T1', 'running');
      await waitForRow(page, 'T2', 'running');

      // The approval cards show each plan's exact body.
      const card = page.locator('.approval-card[data-task="T1"]');
      await card.waitFor({ timeout: LOADED_WAIT_MS });
      await page.locator('.approval-card[data-task="T2"]').waitFor({ timeout: LOADED_WAIT_MS });
      const planBody = await card.locator('.approval-body').innerText();
      expect(planBody).toContain('Create alpha.txt containing ALPHA');

      // T1's live panes: the planner's pane shows its screen, and it changes (the mock's clock row) without a reload.
      await page.locator('.task-row[data-id="T1"]').click();
      await expect.poll(() => paneText(page, 'planner'), { timeout: LOADED_WAIT_MS }).toContain('tick');
      const first = await paneText(page, 'planner');
      await expect.poll(() => paneText(page, 'planner'), { timeout: LOADED_WAIT_MS }).not.toBe(first);
      expect(await paneText(page, 'executer')).not.toBe('');

      // "type into pane" reopens both panes for input, and off again read-only.
      const paneState = (role: string) => page.locator(`.pane[data-role="${role}"] .pane-state`);
      await page.check('#type-switch');
      for (const role of ['planner', 'executer']) await expect.poll(() => paneState(role).innerText(), { timeout: LOADED_WAIT_MS }).toBe('live · typing on');
      await page.uncheck('#type-switch');
      for (const role of ['planner', 'executer']) await expect.poll(() => paneState(role).innerText(), { timeout: LOADED_WAIT_MS }).toBe('live');

      await screenshot(page, 'desktop-two-running', false);
      await screenshot(page, 'desktop-two-running-full', true);
      const phone = await openPage(browser, PHONE, true);
      await phone.page.goto(url.href);
      await waitForRow(phone.page, 'T1', 'running');
      await phone.page.locator('.approval-card[data-task="T1"]').waitFor({ timeout: LOADED_WAIT_MS });
      await expect.poll(() => paneText(phone.page, 'planner'), { timeout: LOADED_WAIT_MS }).toContain('tick');
      await expect.poll(() => paneText(phone.page, 'executer'), { timeout: LOADED_WAIT_MS }).toContain('tick');
      // One terminal per pane, however the refreshes overlapped.
      for (const role of ['planner', 'executer']) expect(await phone.page.locator(`.pane[data-role="${role}"] .xterm`).count()).toBe(1);
      await screenshot(phone.page, 'phone-two-running', false);
      await screenshot(phone.page, 'phone-two-running-full', true);
      // On a phone the panes are stacked and the cards full width.
      const boxes = await Promise.all(['planner', 'executer'].map((r) => phone.page.locator(`.pane[data-role="${r}"]`).boundingBox()));
      expect(boxes[1]!.y).toBeGreaterThan(boxes[0]!.y + boxes[0]!.height - 1);
      const cardBox = await phone.page.locator('.approval-card').first().boundingBox();
      expect(cardBox!.width).toBeGreaterThan(PHONE.width * 0.8);
      await phone.page.context().close();

      // A task added from the form: it is queued behind the two running ones.
      await page.fill('#add-task', 'Create charlie.txt containing CHARLIE');
      await page.click('#add-form button[type="submit"]');
      await page.locator('.task-row[data-id="T3"]').waitFor({ timeout: LOADED_WAIT_MS });

      // Approve T1's plan from its card: the executer gets it (it shows in its pane, and it answers in the dialogue).
      await page.locator('.task-row[data-id="T1"]').click();
      await card.getByRole('button', { name: 'Approve' }).click();
      await card.waitFor({ state: 'detached', timeout: LOADED_WAIT_MS });
      await expect.poll(() => paneText(page, 'executer'), { timeout: LOADED_WAIT_MS }).toContain('{"to":"EXECUTER","type":"plan"');
      await page.locator('#dialogue .msg.from-executer').first().waitFor({ timeout: LOADED_WAIT_MS });
      const planned = page.locator('#dialogue .msg[data-type="plan"]').first();
      expect(await planned.locator('.msg-route').innerText()).toBe('PLANNER → EXECUTER');
      expect(await planned.locator('.msg-body').innerText()).toContain('Create alpha.txt containing ALPHA');

      // The rest, approved from their cards as they come; every task ends merged, T3 too.
      await page.locator('.approval-card[data-task="T2"]').getByRole('button', { name: 'Approve' }).click();
      const third = page.locator('.approval-card[data-task="T3"]');
      await third.waitFor({ timeout: QUEUE_TEST_MS / 3 });
      expect(await third.locator('.approval-body').innerText()).toContain('Create charlie.txt containing CHARLIE');
      await third.getByRole('button', { name: 'Approve' }).click();
      // Watch T3 while it works, so its dialogue is on the page when it ends.
      await page.locator('.task-row[data-id="T3"]').click();
      for (const id of ['T1', 'T2', 'T3']) await waitForRow(page, id, 'merged', QUEUE_TEST_MS / 3);
      expect(world.git(['show', 'main:charlie.txt'])).toBe('CHARLIE\n');
      await page.locator('#dialogue .msg[data-type="complete"]').waitFor({ timeout: LOADED_WAIT_MS });
      await screenshot(page, 'desktop-merged', true);
      expect(errors).toEqual([]);
    },
    QUEUE_TEST_MS,
  );
});

/** Waits until the task list shows `id` in `state`. */
async function waitForRow(page: Page, id: string, state: string, timeout = LOADED_WAIT_MS): Promise<void> {
  await page.locator(`.task-row[data-id="${id}"][data-state="${state}"]`).waitFor({ timeout });
}
