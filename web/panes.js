// poli's dashboard: the live panes, one xterm per role fed by the pane WebSocket (frames: pane-frames.ts).
import { withToken } from './api.js';
import { $, showError } from './dom.js';

export const ROLES = ['planner', 'executer'];
const PANE_RECONNECT_MS = 2000;
const PANE_RECONNECT_MAX_MS = 30_000;
/** A pane's font: as large as fits its width, within these. */
const MIN_FONT_PX = 9;
const MAX_FONT_PX = 14;

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

  /** The view's one terminal; calls that overlap (a sync while the socket opens) share its creation. */
  ensureTerm() {
    this.creating ??= this.createTerm();
    return this.creating;
  }

  async createTerm() {
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
    this.stick = true;
    this.host.addEventListener('scroll', () => {
      this.stick = this.host.scrollTop + this.host.clientHeight >= this.host.scrollHeight - 24;
    });
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
    const same = this.taskId === taskId && this.input === input;
    if (same && (this.pending || (this.ws && this.ws.readyState <= WebSocket.OPEN))) {
      this.wanted = true;
      return;
    }
    this.close();
    this.wanted = true;
    this.taskId = taskId;
    this.input = input;
    // Each open has its generation: one that a later open (or close) overtook while it waited does nothing.
    const generation = (this.generation = (this.generation ?? 0) + 1);
    this.pending = true;
    try {
      await this.ensureTerm();
    } finally {
      if (generation === this.generation) this.pending = false;
    }
    if (!this.wanted || generation !== this.generation) return;
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
    ws.addEventListener('message', (e) => {
      if (this.ws === ws) this.onFrame(e.data);
    });
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

  /**
   * Writes to the terminal. The box shows part of a tall pane: it keeps to the bottom rows (where a CLI's input box and
   * latest output are) unless the person scrolled up to read.
   */
  write(data) {
    this.term.write(data, () => {
      // After xterm drew the rows (the next frame), so the box's height is the new one.
      if (this.stick) requestAnimationFrame(() => this.stick && (this.host.scrollTop = this.host.scrollHeight));
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
      this.stick = true;
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
      this.write(data);
    } else if (frame.type === 'output') {
      this.write(frame.data ?? '');
    } else if (frame.type === 'gone') {
      this.setStatus('gone');
      this.box.dataset.status = 'gone';
    } else if (frame.type === 'error') {
      showError(new Error(frame.message ?? 'the pane answered an error'));
    }
  }

  close() {
    this.wanted = false;
    this.pending = false;
    this.generation = (this.generation ?? 0) + 1;
    clearTimeout(this.retry);
    const ws = this.ws;
    this.ws = undefined;
    if (ws) ws.close(1000);
    this.taskId = undefined;
  }
}

/**
 * The two panes of the task shown. `sync(detail)` opens (or keeps) their sockets for that task; `input` is the "type
 * into pane" switch, which reopens them with `?input=1`.
 */
export function createPanes() {
  const views = Object.fromEntries(ROLES.map((r) => [r, new PaneView(r)]));
  let input = false;
  let shown;
  return {
    views,
    sync(detail) {
      shown = detail;
      const live = detail.endedAt === null || detail.status === 'running';
      for (const role of ROLES) {
        const view = views[role];
        const exists = detail.panes ? detail.panes[role] !== false : live;
        if (exists) void view.open(detail.id, input).catch(showError);
        else if (view.taskId !== detail.id || view.ws) {
          if (!view.term) void view.ensureTerm().catch(showError);
          if (view.box.dataset.status !== 'gone') view.setStatus('no live pane');
        }
      }
    },
    closeAll() {
      shown = undefined;
      for (const view of Object.values(views)) {
        view.close();
        view.term?.reset();
        view.setStatus('');
        delete view.box.dataset.status;
      }
    },
    setInput(on) {
      input = on;
      for (const view of Object.values(views)) view.close();
      if (shown) this.sync(shown);
    },
    scale() {
      for (const view of Object.values(views)) view.scale();
    },
  };
}
