// poli's dashboard: one page over poli serve's API (docs: GET /api/openapi.json). Plain ES module, no build step.
// Everything shown comes from the API; every value is put in the page as text (textContent), never as HTML.

const TOKEN_KEY = 'poli-token';
const ROLES = ['planner', 'executer'];
/** Waits this long after an event before refetching, so a burst of events costs one request. */
const REFRESH_DEBOUNCE_MS = 250;
/** The task list is also refetched on this period (the elapsed column ticks locally in between). */
const LIST_POLL_MS = 5000;
const PANE_RECONNECT_MS = 2000;
const PANE_RECONNECT_MAX_MS = 30_000;
/** A pane's font: as large as fits its width, within these. */
const MIN_FONT_PX = 9;
const MAX_FONT_PX = 14;

// ---- The token: from ?token= once, then from sessionStorage; the address bar loses it. ----

function takeToken() {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    // The token must not stay in the address bar, the history, or a bookmark.
    history.replaceState(null, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

const token = takeToken();

/** A URL of this server with the token in its query: EventSource and WebSocket cannot send headers. */
function withToken(path, extra = {}) {
  const url = new URL(path, window.location.origin);
  if (token) url.searchParams.set('token', token);
  for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
  return url;
}

// ---- The API ----

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch (error) {
    throw new ApiError(0, 'network', `poli's server did not answer (${error.message}); is poli serve still running?`);
  }
  const text = await response.text();
  let json;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    let message = json && typeof json.message === 'string' ? json.message : `${response.status} ${response.statusText}`;
    if (response.status === 401) message = `${message} Open the URL poli printed (the one with ?token=…) again.`;
    throw new ApiError(response.status, json?.error ?? 'http', message);
  }
  return json ?? {};
}

// ---- Small helpers ----

const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== undefined && c !== null) node.append(c);
  return node;
}

function showError(error) {
  const message = error instanceof Error ? error.message : String(error);
  $('error-text').textContent = message;
  $('error').hidden = false;
}

function clearError() {
  $('error').hidden = true;
  $('error-text').textContent = '';
}

/** Runs an action from a button; its error is shown, and the button is disabled while it runs. */
async function act(button, fn) {
  if (button) button.disabled = true;
  try {
    await fn();
    clearError();
  } catch (error) {
    showError(error);
  } finally {
    if (button) button.disabled = false;
  }
}

function formatDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

function debounce(fn, ms) {
  let timer;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

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
  approvals: [],
  /** Decisions being typed (edit / reject), by approval key, so a refresh does not lose them. */
  drafts: new Map(),
};

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

  const list = $('dialogue');
  const messages = d.messages ?? [];
  // Append only what is new, so a reader's scroll position and selection survive a refresh.
  const shown = list.children.length;
  if (shown > messages.length) list.replaceChildren();
  for (const m of messages.slice(list.children.length)) list.append(messageItem(m));
  $('no-messages').hidden = messages.length > 0;
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
    ),
    el('pre', { class: 'msg-body', text: m.body }),
  );
}

// ---- Live panes: one xterm per role over the pane WebSocket ----

let xtermModule;

/**
 * Loads xterm from /vendor: an ES module (lib/xterm.mjs) exports Terminal, the UMD build (lib/xterm.js) sets it as a
 * global when imported. The fit addon is not used: it resizes the terminal to its box, and a pane's size is tmux's.
 */
async function loadXterm() {
  xtermModule ??= import('/vendor/xterm.js').then((mod) => {
    const Terminal = mod.Terminal ?? globalThis.Terminal;
    if (typeof Terminal !== 'function') throw new Error('xterm did not load from /vendor/xterm.js');
    return Terminal;
  });
  return xtermModule;
}

class PaneView {
  constructor(role) {
    this.role = role;
    this.box = document.querySelector(`.pane[data-role="${role}"]`);
    this.host = $(`term-${role}`);
    this.term = undefined;
    this.ws = undefined;
    this.taskId = undefined;
    this.cols = 80;
    this.rows = 24;
    this.wanted = false;
    this.retry = undefined;
  }

  setStatus(text) {
    this.box.querySelector('.pane-state').textContent = text;
    this.box.dataset.status = text;
  }

  async ensureTerm() {
    if (this.term) return this.term;
    const Terminal = await loadXterm();
    this.term = new Terminal({
      cols: this.cols,
      rows: this.rows,
      disableStdin: true,
      convertEol: false,
      cursorBlink: false,
      scrollback: 1000,
      fontSize: 13,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
      theme: { background: '#0f1419', foreground: '#d8dee9' },
    });
    this.term.open(this.host);
    this.term.onData((data) => {
      if (this.ws && this.ws.readyState === WebSocket.OPEN && this.input) this.ws.send(JSON.stringify({ type: 'input', data }));
    });
    return this.term;
  }

  /**
   * The pane's size is tmux's (poli's panes are often 250 columns wide), never the browser's: the view shrinks its
   * font so the whole width fits the box, but not below a readable size; past that the box scrolls sideways.
   */
  scale() {
    if (!this.term) return;
    const width = this.host.clientWidth;
    if (width <= 0) return;
    const size = this.term.options.fontSize;
    // The screen's drawn width per column at the current font, measured rather than taken from xterm's internals.
    const screen = this.host.querySelector('.xterm-screen')?.getBoundingClientRect().width ?? 0;
    const perCol = screen > 0 && this.term.cols > 0 ? screen / this.term.cols / size : 0.6;
    const fitting = Math.floor((width - 8) / (this.cols * perCol));
    const next = Math.max(MIN_FONT_PX, Math.min(MAX_FONT_PX, fitting));
    if (next !== size) this.term.options.fontSize = next;
  }

  async open(taskId, input) {
    this.wanted = true;
    if (this.taskId === taskId && this.input === input && this.ws && this.ws.readyState <= WebSocket.OPEN) return;
    this.close();
    this.wanted = true;
    this.taskId = taskId;
    this.input = input;
    await this.ensureTerm();
    if (!this.wanted || this.taskId !== taskId) return;
    this.term.options.disableStdin = !input;
    this.setStatus('connecting…');
    const params = input ? { input: '1' } : {};
    const url = withToken(`/api/tasks/${encodeURIComponent(taskId)}/panes/${this.role}/ws`, params);
    url.protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url);
    this.ws = ws;
    let opened = false;
    ws.addEventListener('open', () => {
      opened = true;
      this.setStatus(input ? 'live · typing on' : 'live');
    });
    ws.addEventListener('message', (e) => this.onFrame(e.data));
    ws.addEventListener('close', (e) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      if (this.box.dataset.status !== 'gone') this.setStatus(e.code === 1000 ? 'closed' : `disconnected${e.reason ? `: ${e.reason}` : ''}`);
      if (this.wanted && this.box.dataset.status !== 'gone') {
        // A refused or failed socket is tried again, less and less often, while the task is shown.
        this.failures = opened ? 0 : (this.failures ?? 0) + 1;
        const wait = Math.min(PANE_RECONNECT_MAX_MS, PANE_RECONNECT_MS * 2 ** (this.failures ?? 0));
        this.retry = setTimeout(() => {
          if (this.wanted && this.taskId === taskId) void this.open(taskId, this.input);
        }, wait);
      }
    });
  }

  onFrame(raw) {
    let frame;
    try {
      frame = JSON.parse(raw);
    } catch {
      return;
    }
    const term = this.term;
    if (!term) return;
    if (frame.type === 'reset') {
      term.reset();
      if (frame.cols > 0 && frame.rows > 0 && (frame.cols !== term.cols || frame.rows !== term.rows)) {
        this.cols = frame.cols;
        this.rows = frame.rows;
        term.resize(frame.cols, frame.rows);
      }
      this.scale();
      let data = frame.data ?? '';
      // A capture's rows end in a bare \n: the terminal needs \r\n to start each at column 0.
      if (!data.includes('\r')) data = data.replace(/\n/g, '\r\n');
      // The data ends by placing the cursor (pane-feed.ts parseScreen).
      term.write(data);
    } else if (frame.type === 'output') {
      term.write(frame.data ?? '');
    } else if (frame.type === 'gone') {
      this.setStatus('gone');
      this.box.dataset.status = 'gone';
    } else if (frame.type === 'error') {
      showError(new Error(frame.message ?? 'the pane answered an error'));
    }
  }

  close() {
    this.wanted = false;
    clearTimeout(this.retry);
    const ws = this.ws;
    this.ws = undefined;
    if (ws) ws.close(1000);
    this.taskId = undefined;
  }
}

const panes = {
  views: Object.fromEntries(ROLES.map((r) => [r, new PaneView(r)])),
  input: false,
  sync(detail) {
    const live = detail.endedAt === null || stateOf(detail) === 'running';
    for (const role of ROLES) {
      const view = this.views[role];
      const exists = detail.panes ? detail.panes[role] !== false : live;
      if (exists) void view.open(detail.id, this.input).catch(showError);
      else if (view.taskId !== detail.id || view.ws) {
        if (!view.term) void view.ensureTerm().catch(showError);
        if (view.box.dataset.status !== 'gone') view.setStatus('no live pane');
      }
    }
  },
  closeAll() {
    for (const view of Object.values(this.views)) {
      view.close();
      view.term?.reset();
      view.setStatus('');
      delete view.box.dataset.status;
    }
  },
  setInput(on) {
    this.input = on;
    for (const view of Object.values(this.views)) view.close();
    if (state.detail) this.sync(state.detail);
  },
};

// ---- Approvals ----

const keyOf = (a) => `${a.task}/${a.id}`;

async function loadApprovals() {
  const { approvals } = await api('GET', '/api/approvals');
  state.approvals = approvals;
  renderApprovals();
}

function renderApprovals() {
  const list = $('approval-list');
  const keep = new Set(state.approvals.map(keyOf));
  for (const key of [...state.drafts.keys()]) if (!keep.has(key)) state.drafts.delete(key);
  // Cards being typed into stay as they are; the rest are drawn again.
  const existing = new Map([...list.children].map((c) => [c.dataset.key, c]));
  const cards = state.approvals.map((a) => {
    const card = existing.get(keyOf(a));
    return card && state.drafts.has(keyOf(a)) ? card : approvalCard(a);
  });
  list.replaceChildren(...cards);
  $('approvals').hidden = state.approvals.length === 0;
}

function approvalCard(a) {
  const key = keyOf(a);
  const decide = (button, decision) =>
    act(button, async () => {
      await api('POST', `/api/approvals/${encodeURIComponent(a.task)}/${encodeURIComponent(a.id)}`, decision);
      state.drafts.delete(key);
      card.classList.add('decided');
      await loadApprovals();
      if (state.selected === a.task) await loadDetail();
    });
  const body = el('pre', { class: 'approval-body', text: a.body });
  const extra = el('div', { class: 'approval-extra' });
  const buttons = el('div', { class: 'approval-buttons' });
  const approve = el('button', { type: 'button', class: 'primary', text: 'Approve', onclick: () => decide(approve, { action: 'approve' }) });
  const edit = el('button', {
    type: 'button',
    text: 'Edit',
    onclick: () => {
      state.drafts.set(key, 'edit');
      const area = el('textarea', { class: 'approval-edit', rows: 8, 'aria-label': 'Edited message' });
      area.value = a.body;
      const send = el('button', { type: 'button', class: 'primary', text: 'Send edited', onclick: () => decide(send, { action: 'edit', body: area.value }) });
      const cancel = el('button', { type: 'button', text: 'Cancel', onclick: () => cancelDraft() });
      extra.replaceChildren(area, el('div', { class: 'approval-buttons' }, send, cancel));
      buttons.hidden = true;
      area.focus();
    },
  });
  const reject = el('button', {
    type: 'button',
    class: 'danger',
    text: 'Reject',
    onclick: () => {
      state.drafts.set(key, 'reject');
      const reason = el('input', { type: 'text', class: 'approval-reason', placeholder: 'Why? (sent back to the sender)', 'aria-label': 'Reason' });
      const send = el('button', { type: 'button', class: 'danger', text: 'Send reject', onclick: () => decide(send, { action: 'reject', reason: reason.value }) });
      const cancel = el('button', { type: 'button', text: 'Cancel', onclick: () => cancelDraft() });
      extra.replaceChildren(reason, el('div', { class: 'approval-buttons' }, send, cancel));
      buttons.hidden = true;
      reason.focus();
    },
  });
  const cancelDraft = () => {
    state.drafts.delete(key);
    extra.replaceChildren();
    buttons.hidden = false;
  };
  buttons.append(approve, edit, reject);
  const card = el(
    'article',
    { class: 'approval-card', dataset: { key, task: a.task, id: a.id } },
    el(
      'header',
      {},
      el('button', { type: 'button', class: 'link task-link', text: a.task, onclick: () => select(a.task) }),
      el('span', { class: 'msg-route', text: `${a.from} → ${a.to}` }),
      el('span', { class: 'msg-type', text: a.type }),
      el('span', { class: 'msg-id', text: `${a.id} · round ${a.round}` }),
    ),
    body,
    buttons,
    extra,
  );
  return card;
}

// ---- Events: the SSE stream drives every refresh ----

const refreshTasks = debounce(() => void loadTasks().catch(showError), REFRESH_DEBOUNCE_MS);
const refreshDetail = debounce(() => void loadDetail().catch(showError), REFRESH_DEBOUNCE_MS);
const refreshApprovals = debounce(() => void loadApprovals().catch(showError), REFRESH_DEBOUNCE_MS);

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
    resizeTimer = setTimeout(() => Object.values(panes.views).forEach((v) => v.scale()), 150);
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
    await Promise.all([loadTasks(), loadApprovals()]);
  } catch (error) {
    showError(error);
  }
  followEvents();
}

void start();
