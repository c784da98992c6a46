// poli's dashboard: the approval cards — the exact message, and Approve / Edit (its body) / Reject (a reason).
import { api } from './api.js';
import { $, act, el } from './dom.js';

const keyOf = (a) => `${a.task}/${a.id}`;

/**
 * The cards of every pending approval (GET /api/approvals). `onDecided(task)` runs after a decision was taken,
 * `onOpen(task)` when the person clicks a card's task id.
 */
export function createApprovals({ onDecided, onOpen }) {
  let approvals = [];
  /** Decisions being typed (edit / reject), by approval key, so a refresh does not lose them. */
  const drafts = new Map();
  const ctx = { drafts, onDecided, onOpen, reload: () => load() };

  async function load() {
    ({ approvals } = await api('GET', '/api/approvals'));
    render();
  }

  function render() {
    const list = $('approval-list');
    const keep = new Set(approvals.map(keyOf));
    for (const key of [...drafts.keys()]) if (!keep.has(key)) drafts.delete(key);
    // Cards being typed into stay as they are; the rest are drawn again.
    const existing = new Map([...list.children].map((c) => [c.dataset.key, c]));
    const cards = approvals.map((a) => {
      const card = existing.get(keyOf(a));
      return card && drafts.has(keyOf(a)) ? card : approvalCard(a, ctx);
    });
    list.replaceChildren(...cards);
    $('approvals').hidden = approvals.length === 0;
  }

  return { load };
}

function approvalCard(a, { drafts, onDecided, onOpen, reload }) {
  const key = keyOf(a);
  const decide = (button, decision) =>
    act(button, async () => {
      await api('POST', `/api/approvals/${encodeURIComponent(a.task)}/${encodeURIComponent(a.id)}`, decision);
      drafts.delete(key);
      card.classList.add('decided');
      await reload();
      await onDecided(a.task);
    });
  const body = el('pre', { class: 'approval-body', text: a.body });
  const extra = el('div', { class: 'approval-extra' });
  const buttons = el('div', { class: 'approval-buttons' });
  const approve = el('button', { type: 'button', class: 'primary', text: 'Approve', onclick: () => decide(approve, { action: 'approve' }) });
  const edit = el('button', {
    type: 'button',
    text: 'Edit',
    onclick: () => {
      drafts.set(key, 'edit');
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
      drafts.set(key, 'reject');
      const reason = el('input', { type: 'text', class: 'approval-reason', placeholder: 'Why? (sent back to the sender)', 'aria-label': 'Reason' });
      const send = el('button', { type: 'button', class: 'danger', text: 'Send reject', onclick: () => decide(send, { action: 'reject', reason: reason.value }) });
      const cancel = el('button', { type: 'button', text: 'Cancel', onclick: () => cancelDraft() });
      extra.replaceChildren(reason, el('div', { class: 'approval-buttons' }, send, cancel));
      buttons.hidden = true;
      reason.focus();
    },
  });
  const cancelDraft = () => {
    drafts.delete(key);
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
      el('button', { type: 'button', class: 'link task-link', text: a.task, onclick: () => onOpen(a.task) }),
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
