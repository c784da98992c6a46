// poli's dashboard: one page over poli serve's API (docs: GET /api/openapi.json). Plain ES module, no build step.
// Everything shown comes from the API; every value is put in the page as text (textContent), never as HTML.

import { api, token, withToken } from './api.js';
import { createApprovals } from './approvals.js';
import { $, act, clearError, debounce, el, formatDuration, showError } from './dom.js';
import { createPanes } from './panes.js';

/** Waits this long after an event before refetching, so a burst of events costs one request. */
const REFRESH_DEBOUNCE_MS = 250;
/** The task list is also refetched on this period (the elapsed column ticks locally in between). */
const LIST_POLL_MS = 5000;

/** What the state column shows: the queue's state for a queued task, else the dialogue's status. */
function stateOf(task) {
  return task.queue?.state ?? task.status;
}

function mergeText(task) {
  const q = task.queue;
  if (!q) return '';
  if (q.mergedCommit) return q.mergedCommit.slice(0, 10);
  if (q.state === 'merging') return 'merging';
  if (q.state === 'needs_merge') return 'needs merge';
  return '';
}

// ---- State ----

const state = {
  tasks: [],
  /** When the list was fetched (each task's elapsedMs is as of then). */
  fetchedAt: Date.now(),
  selected: null,
  detail: null,
};

const panes = createPanes();
const approvals = createApprovals({
  onDecided: async (task) => {
    if (state.selected === task) await loadDetail();
  },
  onOpen: (task) => select(task),
});

// ---- The task list ----

async function loadTasks() {
  const { tasks } = await api('GET', '/api/tasks');
  state.tasks = tasks;
  state.fetchedAt = Date.now();
  renderTasks();
  if (!state.selected && tasks.length > 0) {
    // Open the first running task, else the newest.
    select((tasks.find((t) => stateOf(t) === 'running') ?? tasks[0]).id);
  }
}

function elapsedOf(task) {
  if (typeof task.elapsedMs !== 'number' || stateOf(task) === 'queued') return '';
  const live = task.endedAt === null && stateOf(task) !== 'queued';
  return formatDuration(task.elapsedMs + (live ? Date.now() - state.fetchedAt : 0));
}

/**
 * A cost as poli's terminal views write it (formatUsd in src/usage/format.ts): `$1.23` from a dollar up, below it to
 * a hundredth of a cent trimmed (`$0.03`, `$0.0286`), `≥$1.23` when some part is unknown, `—` when nothing could be
 * priced.
 */
function costText(totals) {
  if (!totals) return '';
  if (totals.cost === null || totals.cost === undefined) return '—';
  const usd = totals.cost;
  const text = Math.abs(usd) >= 1 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(4).replace(/(\.\d\d\d?)0+$/, '$1').replace(/(\.\d\d)0$/, '$1')}`;
  return totals.costComplete ? text : `≥${text}`;
}

/** The selected task's usage in one line: cost, per role, tokens, what is unknown, the price table. */
function usageText(usage) {
  const t = usage.total;
  const n = (v) => (v === null ? 'unknown' : v.toLocaleString('en-US'));
  const roles = ['PLANNER', 'EXECUTER'].filter((r) => usage.byRole?.[r]).map((r) => `${r} ${costText(usage.byRole[r])}`);
  const parts = [
    `Cost ${costText(t)}${roles.length ? ` (${roles.join(', ')})` : ''}`,
    `${t.calls} calls · input ${n(t.input)} · output ${n(t.output)} · cache read ${n(t.cacheRead)} · cache write ${n(t.cacheWrite)}`,
  ];
  if (t.models?.length) parts.push(t.models.join(', '));
  if (usage.unknown?.length) parts.push(`unknown: ${usage.unknown.join('; ')}`);
  parts.push(`prices ${usage.prices.file} (${usage.prices.date})`);
  return parts.join(' · ');
}

function renderTasks() {
  const list = $('task-list');
  const head = list.querySelector('.head');
  const rows = state.tasks.map((t) =>
    el(
      'div',
      {
        class: `task-row${t.id === state.selected ? ' selected' : ''}`,
        role: 'row',
        tabindex: 0,
        dataset: { id: t.id, state: stateOf(t) },
        'aria-selected': t.id === state.selected ? 'true' : 'false',
        onclick: () => select(t.id),
        onkeydown: (e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            select(t.id);
          }
        },
      },
      el('span', { class: 'c-id', role: 'cell', text: t.id }),
      el('span', { class: 'c-state', role: 'cell' }, el('span', { class: `badge s-${stateOf(t)}`, text: stateOf(t) })),
      el('span', { class: 'c-round', role: 'cell', 'data-label': 'round', text: stateOf(t) === 'queued' ? '' : String(t.rounds ?? '') }),
      el('span', { class: 'c-elapsed', role: 'cell', 'data-label': 'elapsed', text: elapsedOf(t) }),
      el('span', { class: 'c-cost', role: 'cell', 'data-label': 'cost', text: costText(t.usage?.total) }),
      el('span', { class: 'c-waiting', role: 'cell', 'data-label': 'waiting on', text: t.waitingOn || '' }),
      el('span', { class: 'c-branch', role: 'cell', 'data-label': 'branch', text: t.queue?.branch ?? '' }),
      el('span', { class: 'c-merge', role: 'cell', 'data-label': 'merge', text: mergeText(t) }),
      el('span', { class: 'c-task', role: 'cell', text: t.task, title: t.task }),
    ),
  );
  list.replaceChildren(head, ...rows);
  $('no-tasks').hidden = state.tasks.length > 0;
  const counts = {};
  for (const t of state.tasks) counts[stateOf(t)] = (counts[stateOf(t)] ?? 0) + 1;
  const order = ['running', 'waiting', 'merging', 'queued', 'needs_merge', 'paused', 'merged', 'completed', 'failed', 'stopped'];
  const keys = Object.keys(counts).sort((a, b) => (order.indexOf(a) + 99) % 99 - (order.indexOf(b) + 99) % 99);
  $('counts').textContent = keys.map((k) => `${counts[k]} ${k}`).join(' · ');
  // A queued task runs in its own worktree: only a task outside the queue names the person's project directory.
  const project = state.tasks.find((t) => t.projectDir && !t.queue)?.projectDir;
  if (project) $('project').textContent = project;
}

// ---- One task: its dialogue, controls and panes ----

function select(id) {
  if (state.selected === id) return;
  state.selected = id;
  state.detail = null;
  $('dialogue').replaceChildren();
  renderTasks();
  panes.closeAll();
  void loadDetail().catch(showError);
}

async function loadDetail() {
  const id = state.selected;
  if (!id) return;
  const detail = await api('GET', `/api/tasks/${encodeURIComponent(id)}`);
  if (state.selected !== id) return;
  state.detail = detail;
  renderDetail();
  panes.sync(detail);
}

function renderDetail() {
  const d = state.detail;
  const section = $('detail');
  section.hidden = !d;
  if (!d) return;
  $('detail-title').textContent = d.id;
  const s = stateOf(d);
  const badge = $('detail-state');
  badge.textContent = d.queue && d.queue.state !== d.status ? `${s} · ${d.status}` : s;
  badge.className = `badge s-${s}`;
  $('detail-task').textContent = d.task;
  const err = d.error ?? d.queue?.reason ?? '';
  $('detail-error').hidden = !err;
  $('detail-error').textContent = err;
  $('detail-usage').hidden = !d.usage;
  $('detail-usage').textContent = d.usage ? usageText(d.usage) : '';

  const allowed = actionsFor(d);
  for (const button of document.querySelectorAll('.controls button[data-action]')) button.hidden = !allowed.has(button.dataset.action);
  $('say-form').hidden = !allowed.has('say');

  const list = $('dialogue');
  const messages = d.messages ?? [];
  // Append only what is new, so a reader's scroll position and selection survive a refresh.
  const shown = list.children.length;
  if (shown > messages.length) list.replaceChildren();
  for (const m of messages.slice(list.children.length)) list.append(messageItem(m));
  // A turn's cost arrives after its message: refresh every shown message's cost, not only the new ones'.
  messages.forEach((m, i) => {
    const cost = list.children[i]?.querySelector('.msg-cost');
    if (cost) cost.textContent = turnCost(m);
  });
  $('no-messages').hidden = messages.length > 0;
}

/** The buttons that make sense for a task in its state (the server still decides; this only hides the pointless). */
function actionsFor(task) {
  const live = task.endedAt === null && (task.status === 'running' || task.status === 'waiting');
  const q = task.queue?.state;
  const actions = new Set();
  if (live) ['say', 'stop'].forEach((a) => actions.add(a));
  // Resume releases a pause, or ends a wait for a usage limit now; Pause holds a task that is not held already.
  if (live && task.held !== 'paused') actions.add('pause');
  if (live && (task.held === 'paused' || task.status === 'waiting')) actions.add('resume');
  if (q === 'queued') actions.add('stop');
  if (q === 'failed' || q === 'stopped' || q === 'blocked' || q === 'needs_merge') actions.add('retry');
  if (q === 'needs_merge') actions.add('merge');
  return actions;
}

/**
 * What the turn a message caused cost in the CLI it went to; '' when not known. The API puts it on the message
 * (`usage`): a relayed plan is typed under a new id, so looking its own id up in byMessage would show the wrong turn.
 */
function turnCost(m) {
  return m.usage ? costText(m.usage) : '';
}

function messageItem(m) {
  const at = m.at ? new Date(m.at) : undefined;
  return el(
    'li',
    { class: `msg from-${String(m.from).toLowerCase()}`, dataset: { id: m.id, type: m.type } },
    el(
      'div',
      { class: 'msg-head' },
      el('span', { class: 'msg-route', text: `${m.from} → ${m.to}` }),
      el('span', { class: 'msg-type', text: m.type }),
      el('span', { class: 'msg-id', text: m.id }),
      at ? el('time', { datetime: m.at, text: at.toLocaleTimeString() }) : undefined,
      el('span', { class: 'msg-cost', title: 'what the turn this message caused cost' }),
    ),
    el('pre', { class: 'msg-body', text: m.body }),
  );
}

// ---- Events: the SSE stream drives every refresh ----

const refreshTasks = debounce(() => void loadTasks().catch(showError), REFRESH_DEBOUNCE_MS);
const refreshDetail = debounce(() => void loadDetail().catch(showError), REFRESH_DEBOUNCE_MS);
const refreshApprovals = debounce(() => void approvals.load().catch(showError), REFRESH_DEBOUNCE_MS);

function followEvents() {
  // EventSource reconnects by itself and sends Last-Event-ID, so nothing is missed or repeated.
  const source = new EventSource(withToken('/api/events'));
  source.addEventListener('message', (e) => {
    let event;
    try {
      event = JSON.parse(e.data);
    } catch {
      return;
    }
    refreshTasks();
    if (event.task && event.task === state.selected) refreshDetail();
    if (event.event === 'ask' || event.event === 'approval') refreshApprovals();
  });
  source.addEventListener('open', () => document.body.classList.remove('offline'));
  source.addEventListener('error', () => document.body.classList.add('offline'));
}

// ---- Forms and buttons ----

function wire() {
  $('error-close').addEventListener('click', clearError);

  $('add-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const text = form.task.value.trim();
    if (!text) return;
    void act(form.querySelector('button'), async () => {
      const { id } = await api('POST', '/api/tasks', { task: text, priority: form.priority.value });
      form.task.value = '';
      await loadTasks();
      if (id) select(id);
    });
  });

  $('say-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const text = form.text.value.trim();
    if (!text || !state.selected) return;
    void act(form.querySelector('button'), async () => {
      await api('POST', `/api/tasks/${encodeURIComponent(state.selected)}/say`, { to: form.to.value, text });
      form.text.value = '';
    });
  });

  for (const button of document.querySelectorAll('.controls button[data-action]')) {
    button.addEventListener('click', () => {
      if (!state.selected) return;
      const action = button.dataset.action;
      if (action === 'stop' && !window.confirm(`Stop ${state.selected}?`)) return;
      void act(button, async () => {
        await api('POST', `/api/tasks/${encodeURIComponent(state.selected)}/${action}`, {});
        refreshTasks();
        refreshDetail();
      });
    });
  }

  $('type-switch').addEventListener('change', (e) => panes.setInput(e.currentTarget.checked));

  let resizeTimer;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => panes.scale(), 150);
  });

  // The elapsed column ticks without a request.
  setInterval(() => {
    for (const row of document.querySelectorAll('.task-row[data-id]')) {
      const task = state.tasks.find((t) => t.id === row.dataset.id);
      if (task) row.querySelector('.c-elapsed').textContent = elapsedOf(task);
    }
  }, 1000);
  // Events drive the refreshes; this slow poll is the fallback for a stream that is down or a change without an event.
  setInterval(() => {
    refreshTasks();
    refreshApprovals();
    if (state.selected) refreshDetail();
  }, LIST_POLL_MS);
}

async function start() {
  wire();
  if (!token) showError(new Error('No token: open the URL poli printed (poli serve or poli work --serve), the one with ?token=….'));
  try {
    await Promise.all([loadTasks(), approvals.load()]);
  } catch (error) {
    showError(error);
  }
  followEvents();
}

void start();
