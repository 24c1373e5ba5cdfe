// The inbox's keyboard and live layer. The page works without it: this script drives the same
// triage forms the page already has, re-reads the page from the server after every change, and
// listens to /events for teammates' changes and presence. The server's page is the truth, so an
// action the server refused is re-read away and explained, never shown as done.
'use strict';

(() => {
  const root = document.querySelector('.inbox');
  if (!root) return;
  const words = root.dataset;
  const UNDO_MS = 10000;
  const NOTICE_MS = 8000;
  const PRESENCE_EVERY_MS = 20000;
  const PRESENCE_FORGET_MS = 60000;
  const LIVE_DELAY_MS = 250;
  const UNDO_KEY = 'allcampaigns.inbox.undo';

  // ---- what is on the page ----------------------------------------------------------------

  const rows = () => [...root.querySelectorAll('ol.threads > li.thread:not(.gone)')];
  const threadPane = () => root.querySelector('.thread-pane');
  const rowOf = (key) => rows().find((row) => row.dataset.key === key) ?? null;
  let cursorKey = threadPane()?.dataset.key ?? null;

  function isTyping(element) {
    if (!(element instanceof Element)) return false;
    if (element.isContentEditable || ['TEXTAREA', 'SELECT'].includes(element.tagName)) return true;
    const plain = ['checkbox', 'radio', 'button', 'submit', 'reset'];
    return element.tagName === 'INPUT' && !plain.includes(element.type);
  }

  // ---- notices ------------------------------------------------------------------------------

  function noticeArea(role) {
    let area = document.getElementById(`inbox-${role}`);
    if (!area) {
      area = document.createElement('div');
      area.id = `inbox-${role}`;
      area.className = `toast ${role}`;
      area.setAttribute('role', role);
      area.hidden = true;
      document.body.append(area);
    }
    return area;
  }

  function notify(text, { undo = false, role = 'status', ms = NOTICE_MS } = {}) {
    const area = noticeArea(role);
    const message = document.createElement('span');
    message.textContent = text;
    area.replaceChildren(message);
    if (undo) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'link-button';
      button.textContent = `${words.wUndo} (z)`;
      button.addEventListener('click', undoLast);
      area.append(' ', button);
    }
    area.hidden = false;
    clearTimeout(area.hideTimer);
    area.hideTimer = setTimeout(() => { area.hidden = true; }, ms);
  }

  const alarm = (text) => notify(text, { role: 'alert' });

  // ---- sending triage -------------------------------------------------------------------------

  // "Tomorrow 9:00" and "next week" are the person's own: every triage form carries the
  // browser's time zone (without this script they are read in UTC, as the page says).
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const isTriage = (url) => new URL(url, location.href).pathname.endsWith('/triage');

  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!zone || !(form instanceof HTMLFormElement) || !isTriage(form.action) || form.elements.tz) return;
    const field = Object.assign(document.createElement('input'), { type: 'hidden', name: 'tz', value: zone });
    form.append(field);
  }, true);

  async function send(url, fields) {
    const body = new URLSearchParams({ csrf: root.dataset.csrf });
    if (zone && isTriage(url)) body.append('tz', zone);
    for (const [name, value] of Object.entries(fields)) {
      for (const one of [].concat(value)) if (one !== undefined) body.append(name, one);
    }
    try {
      const response = await fetch(url, { method: 'POST', body, redirect: 'manual' });
      if (response.type === 'opaqueredirect' || response.ok) return { ok: true };
      return { ok: false, message: await reason(response) };
    } catch {
      return { ok: false, message: words.wOffline };
    }
  }

  // The words of the server's error page.
  async function reason(response) {
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    const said = page.querySelector('.error p')?.textContent ?? '';
    return said.trim().slice(0, 300) || `${response.status} ${response.statusText}`;
  }

  // The checked rows, else the open thread, else the row under the cursor.
  function chosen() {
    const checked = [...root.querySelectorAll('li.thread input[name=thread]:checked')];
    if (checked.length) return checked.map((box) => box.closest('li.thread'));
    const target = threadPane() ?? rowOf(cursorKey);
    return target ? [target] : [];
  }

  const snapshot = (element) => ({
    triage: element.dataset.triage,
    unread: 'unread' in element.dataset,
    done: 'done' in element.dataset,
    snoozed: element.dataset.snoozed,
    owner: element.dataset.owner,
  });

  // The change that puts a thread back as it was before `action`.
  function inverse(action, before) {
    const back = { triage: before.triage };
    if (action === 'read' || action === 'unread') return { ...back, action: before.unread ? 'unread' : 'read' };
    if (action === 'done' || action === 'undone') return { ...back, action: before.done ? 'done' : 'undone' };
    if (action.startsWith('snooze') || action === 'unsnooze') {
      return before.snoozed ? { ...back, action: 'snooze_at', until: before.snoozed } : { ...back, action: 'unsnooze' };
    }
    return { ...back, action: 'assign', owner: before.owner || 'none' };
  }

  // Whether the list's tab stops showing a thread after `action`.
  function leavesView(action) {
    const view = root.dataset.view;
    if (action === 'done') return view !== 'all' && view !== 'done';
    if (action.startsWith('snooze')) return view !== 'all' && view !== 'snoozed';
    if (action === 'undone') return view === 'done';
    if (action === 'unsnooze') return view === 'snoozed';
    return false;
  }

  function showEarly(targets, action) {
    for (const element of targets) {
      if (action === 'read') element.classList.remove('unread');
      if (action === 'unread') element.classList.add('unread');
      if (leavesView(action)) element.classList.add('leaving');
    }
  }

  const pastTense = {
    read: 'wRead', unread: 'wUnread', done: 'wDone', undone: 'wUndoneAction', unsnooze: 'wUnsnooze',
  };
  const said = (action) => words[pastTense[action] ?? (action.startsWith('snooze') ? 'wSnooze' : 'wAssign')];

  async function act(action, extra = {}, targets = chosen()) {
    if (!targets.length) return notify(words.wPick);
    const before = targets.map(snapshot);
    showEarly(targets, action);
    const fields = { ...extra, action, back: root.dataset.back };
    const result = targets.length === 1
      ? await send(targets[0].dataset.triage, fields)
      : await send('/inbox/triage', { ...fields, thread: targets.map((t) => t.dataset.key) });
    if (!result.ok) {
      await refresh('self');
      return alarm(`${words.wRefused} ${result.message}`);
    }
    root.querySelectorAll('li.thread input[name=thread]:checked').forEach((box) => { box.checked = false; });
    remember({ label: said(action), steps: before.map((b) => inverse(action, b)) });
    notify(said(action), { undo: true, ms: UNDO_MS });
    await refresh('self');
  }

  function toggle(flag) {
    const targets = chosen();
    if (flag === 'unread') {
      return act(targets.some((t) => 'unread' in t.dataset) ? 'read' : 'unread', {}, targets);
    }
    return act(targets.length && targets.every((t) => 'done' in t.dataset) ? 'undone' : 'done', {}, targets);
  }

  // ---- undo (kept for the tab, so it survives opening the next thread) ------------------------

  function remember(last) {
    sessionStorage.setItem(UNDO_KEY, JSON.stringify({ ...last, until: Date.now() + UNDO_MS }));
  }

  function recall() {
    try {
      const last = JSON.parse(sessionStorage.getItem(UNDO_KEY));
      return last && last.until > Date.now() ? last : null;
    } catch {
      return null;
    }
  }

  async function undoLast() {
    const last = recall();
    sessionStorage.removeItem(UNDO_KEY);
    if (!last) return;
    const results = await Promise.all(
      last.steps.map(({ triage, ...fields }) => send(triage, { ...fields, back: root.dataset.back })),
    );
    await refresh('self');
    const refused = results.find((result) => !result.ok);
    if (refused) alarm(`${words.wRefused} ${refused.message}`);
    else notify(words.wUndone);
  }

  // ---- re-reading the page ------------------------------------------------------------------

  let chain = Promise.resolve();
  const refresh = (mode) => {
    chain = chain.then(() => reread(mode)).catch(() => {});
    return chain;
  };

  async function reread(mode) {
    const response = await fetch(location.href, { headers: { Accept: 'text/html' } });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    const fresh = page.querySelector('.inbox');
    if (!fresh) return;
    const focused = root.querySelector('.list-pane')?.contains(document.activeElement);
    const cursorAt = rows().findIndex((row) => row.dataset.key === cursorKey);
    document.title = page.title;
    root.className = fresh.className;
    root.dataset.back = fresh.dataset.back;
    patchListPane(fresh.querySelector('.list-pane'), mode);
    const pane = threadPane();
    if (pane && !isTyping(document.activeElement)) patchNode(pane, fresh.querySelector('.thread-pane'));
    const lead = root.querySelector('.lead-pane');
    if (lead && !isTyping(document.activeElement)) patchNode(lead, fresh.querySelector('.lead-pane'));
    paintPresence();
    markCursor(focused, cursorAt);
  }

  // Makes `old` look like `fresh`, keeping every node that did not change (so message frames
  // do not reload and focus stays where it was).
  function patchNode(old, fresh) {
    if (!old || !fresh || old.isEqualNode(fresh)) return;
    const patchable = old.nodeType === Node.ELEMENT_NODE && old.nodeName === fresh.nodeName
      && old.childNodes.length === fresh.childNodes.length && old.nodeName !== 'IFRAME';
    if (!patchable) {
      old.replaceWith(document.importNode(fresh, true));
      return;
    }
    for (const { name } of [...old.attributes]) if (!fresh.hasAttribute(name)) old.removeAttribute(name);
    for (const { name, value } of [...fresh.attributes]) {
      if (old.getAttribute(name) !== value) old.setAttribute(name, value);
    }
    const children = [...old.childNodes];
    children.forEach((child, i) => patchNode(child, fresh.childNodes[i]));
  }

  // The person's own parts of the list pane: what they type or open there stays as it is.
  const OWN = ['.inbox-search', '.save-view'];
  const ownPart = (pane, child) => OWN.map((s) => child.matches(s) && pane.querySelector(`:scope > ${s}`)).find(Boolean);

  // The list pane, except the person's own parts. A live change does not move rows under the
  // cursor: rows on screen are updated in place, ones that left are dimmed, and new ones wait
  // behind the "new" bar.
  function patchListPane(fresh, mode) {
    const pane = root.querySelector('.list-pane');
    if (!pane || !fresh) return;
    if (mode === 'live' && holdRows(pane, fresh)) return;
    const shapes = (list) => [...list].map((child) => `${child.tagName}.${child.className}`).join();
    if (shapes(pane.children) === shapes(fresh.children)) {
      [...pane.children].forEach((child, i) => {
        if (!OWN.some((s) => child.matches(s))) patchNode(child, fresh.children[i]);
      });
    } else {
      pane.replaceChildren(...[...fresh.children].map((child) => ownPart(pane, child) || document.importNode(child, true)));
    }
    revealHelp();
  }

  function holdRows(pane, fresh) {
    const list = pane.querySelector('ol.threads');
    if (!list) return false;
    const arrived = new Map([...fresh.querySelectorAll('ol.threads > li.thread')].map((row) => [row.dataset.key, row]));
    for (const row of [...list.children]) {
      const now = arrived.get(row.dataset.key);
      if (now) {
        patchNode(row, now);
        arrived.delete(row.dataset.key);
      } else {
        row.classList.add('gone');
      }
    }
    patchNode(pane.querySelector('nav'), fresh.querySelector('nav'));
    const bar = pane.querySelector('.new-bar');
    if (bar) {
      bar.querySelector('button').textContent = words.wNew.replace('{n}', arrived.size);
      bar.hidden = arrived.size === 0;
    }
    return true;
  }

  function markCursor(focus, formerIndex = -1) {
    const list = rows();
    let row = rowOf(cursorKey);
    if (!row && formerIndex >= 0 && list.length) row = list[Math.min(formerIndex, list.length - 1)];
    if (!threadPane()) cursorKey = row?.dataset.key ?? null;
    for (const each of list) each.classList.toggle('cursor', each === row);
    if (row && focus) row.querySelector('.thread-link')?.focus({ preventScroll: true });
  }

  // ---- moving and opening ---------------------------------------------------------------------

  function move(step) {
    const list = rows();
    if (!list.length) return;
    const at = list.findIndex((row) => row.dataset.key === cursorKey);
    const index = at < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(Math.max(at + step, 0), list.length - 1);
    const next = list[index];
    if (threadPane()) {
      if (next.dataset.key !== threadPane().dataset.key) location.assign(next.dataset.href);
      return;
    }
    cursorKey = next.dataset.key;
    markCursor(true);
    next.scrollIntoView({ block: 'nearest' });
  }

  function openCursor() {
    const row = rowOf(cursorKey);
    if (row) location.assign(row.dataset.href);
    else notify(words.wPick);
  }

  function select() {
    const row = rowOf(cursorKey);
    const box = row?.querySelector('input[name=thread]');
    if (!box) return notify(words.wPick);
    box.checked = !box.checked;
  }

  // ---- dialogs --------------------------------------------------------------------------------

  function openDialog(id) {
    const dialog = document.getElementById(id);
    if (dialog && !dialog.open) dialog.showModal();
  }

  function snooze() {
    if (!chosen().length) return notify(words.wPick);
    openDialog('snooze');
  }

  function wireSnooze() {
    const dialog = document.getElementById('snooze');
    if (!dialog) return;
    const choose = (action, extra = {}) => {
      dialog.close();
      act(action, extra);
    };
    dialog.querySelectorAll('[data-action]').forEach((button) => {
      button.addEventListener('click', () => choose(button.dataset.action));
    });
    dialog.addEventListener('keydown', (event) => {
      if (isTyping(event.target)) return;
      const button = dialog.querySelector(`[data-digit="${event.key}"]`);
      if (button) {
        event.preventDefault();
        button.click();
      }
    });
    dialog.querySelector('form.snooze-at')?.addEventListener('submit', (event) => {
      event.preventDefault();
      choose('snooze_at', { until: event.target.elements.until.value });
    });
  }

  function revealHelp() {
    root.querySelectorAll('[data-open]').forEach((button) => {
      button.hidden = false;
      button.onclick = () => openDialog(button.dataset.open);
    });
  }

  // Buttons the page marks for a key (e.g. attaching a reply from someone else to the lead).
  function press(shortcut) {
    const button = threadPane()?.querySelector(`[data-shortcut="${shortcut}"]`);
    if (button) button.click();
    else notify(words.wPick);
  }

  // ---- keys -----------------------------------------------------------------------------------

  let afterG = false;
  const keys = {
    j: () => move(1),
    k: () => move(-1),
    o: openCursor,
    Enter: openCursor,
    u: () => toggle('unread'),
    e: () => toggle('done'),
    s: snooze,
    a: () => act('assign_me'),
    x: select,
    z: undoLast,
    l: () => press('attach'),
    L: () => press('new-lead'),
    '/': () => document.getElementById('inbox-q')?.focus(),
    '?': () => openDialog('shortcuts'),
    g: () => { afterG = true; setTimeout(() => { afterG = false; }, 1500); },
  };

  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) {
      if (event.key === 'Escape') event.target.blur();
      return;
    }
    if (document.querySelector('dialog[open]')) return;
    if (afterG) {
      afterG = false;
      if (event.key === 'i') {
        event.preventDefault();
        location.assign('/inbox');
      }
      return;
    }
    // Enter on a link or button does what it always does.
    if (event.key === 'Enter' && event.target.closest?.('a, button, summary')) return;
    const handler = keys[event.key];
    if (handler) {
      event.preventDefault();
      handler();
    }
  });

  root.addEventListener('focusin', (event) => {
    const row = event.target.closest?.('li.thread');
    if (row && !threadPane()) {
      cursorKey = row.dataset.key;
      markCursor(false);
    }
  });

  root.addEventListener('click', (event) => {
    if (event.target.closest('.new-bar button')) refresh('self');
  });

  // ---- live: teammates' changes and who is on a thread ----------------------------------------

  let liveTimer = null;
  function soon() {
    if (!liveTimer) liveTimer = setTimeout(() => { liveTimer = null; refresh('live'); }, LIVE_DELAY_MS);
  }

  const present = new Map();

  function heard(event) {
    if (event.user_id === root.dataset.me) return;
    const key = `${event.tenant_id}/${event.thread_id}`;
    const people = present.get(key) ?? new Map();
    const known = people.has(event.user_id);
    if (event.state === 'left') people.delete(event.user_id);
    else people.set(event.user_id, { name: event.name || words.wTeammate, state: event.state, at: Date.now() });
    present.set(key, people);
    // Someone new opened the thread this page has open: tell them at once that we are here.
    if (!known && event.state !== 'left' && key === threadPane()?.dataset.key) announce(myState, true);
    paintPresence();
  }

  function paintPresence() {
    const now = Date.now();
    for (const holder of root.querySelectorAll('[data-key]')) {
      const slot = holder.querySelector('.presence');
      if (!slot) continue;
      const people = [...(present.get(holder.dataset.key)?.values() ?? [])]
        .filter((person) => now - person.at < PRESENCE_FORGET_MS);
      const text = people
        .map((person) => (person.state === 'writing' ? words.wWriting : words.wViewing).replace('{name}', person.name))
        .join(' · ');
      if (slot.textContent !== text) slot.textContent = text;
    }
  }

  let myState = 'viewing';
  let announcedAt = 0;
  function announce(state, force = false) {
    const pane = threadPane();
    if (!pane) return;
    const recently = Date.now() - announcedAt < (force ? 3000 : PRESENCE_EVERY_MS);
    if (state === myState && recently) return;
    myState = state;
    announcedAt = Date.now();
    send(pane.dataset.presence, { state });
  }

  function watchPresence() {
    const pane = threadPane();
    if (!pane) return;
    announce('viewing', true);
    setInterval(() => {
      if (document.visibilityState === 'visible') announce(myState, true);
    }, PRESENCE_EVERY_MS);
    pane.addEventListener('focusin', (event) => { if (isTyping(event.target)) announce('writing', true); });
    pane.addEventListener('focusout', (event) => { if (isTyping(event.target)) announce('viewing', true); });
    addEventListener('pagehide', () => {
      navigator.sendBeacon(pane.dataset.presence, new URLSearchParams({ csrf: root.dataset.csrf, state: 'left' }));
    });
  }

  function listen() {
    const source = new EventSource('/events');
    let opened = false;
    source.addEventListener('open', () => {
      if (opened) soon(); // back after a break: what changed meanwhile is read again
      opened = true;
    });
    source.addEventListener('thread', soon);
    source.addEventListener('reload', soon);
    source.addEventListener('presence', (event) => heard(JSON.parse(event.data)));
  }

  // ---- start ----------------------------------------------------------------------------------

  revealHelp();
  wireSnooze();
  markCursor(false);
  listen();
  watchPresence();
  setInterval(paintPresence, 10000);
  const last = recall();
  if (last) notify(last.label, { undo: true, ms: last.until - Date.now() });
})();

// The lead panel's keys, beside a thread and on the lead page (see templates/lead_panel.html):
// 1–9 set the nth live stage, t opens the tag choice, v the value, n a note, c a call, r the
// reply, m the "remind me if no reply" time (templates/thread_reminders.html); Ctrl+Enter sends
// the form being typed in. Each drives a form that works without it.
(() => {
  const panel = () => document.querySelector('.lead-work');
  if (!panel() && !document.querySelector('.thread-reminders')) return;

  function isTyping(element) {
    if (!(element instanceof Element)) return false;
    if (element.isContentEditable || ['TEXTAREA', 'SELECT'].includes(element.tagName)) return true;
    const plain = ['checkbox', 'radio', 'button', 'submit', 'reset'];
    return element.tagName === 'INPUT' && !plain.includes(element.type);
  }

  function focus(id) {
    const field = document.getElementById(id);
    if (!field) return;
    field.scrollIntoView({ block: 'center' });
    field.focus();
  }

  function chooseTags() {
    const details = document.getElementById('lead-tags');
    if (!details) return;
    details.open = true;
    const first = details.querySelector('input[type=checkbox]') ?? details.querySelector('button');
    first?.focus();
  }

  const keys = {
    t: chooseTags,
    v: () => focus('lead-value'),
    n: () => focus('lead-note'),
    c: () => focus('lead-call'),
    r: () => focus('lead-reply'),
    m: () => focus('thread-remind'),
  };

  document.addEventListener('keydown', (event) => {
    const form = event.target.closest?.('form.lead-form');
    if (form && event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target) || document.querySelector('dialog[open]')) return;
    if (/^[1-9]$/.test(event.key)) {
      const button = panel()?.querySelector(`[data-stage-key="${event.key}"]`);
      if (!button) return;
      event.preventDefault();
      button.click();
      return;
    }
    const handler = keys[event.key];
    if (handler) {
      event.preventDefault();
      handler();
    }
  });

  // On the lead page, which has no inbox around it, "?" opens the same list of keys.
  if (!document.querySelector('.inbox')) {
    document.addEventListener('keydown', (event) => {
      if (event.key !== '?' || isTyping(event.target) || document.querySelector('dialog[open]')) return;
      const dialog = document.getElementById('shortcuts');
      if (dialog) {
        event.preventDefault();
        dialog.showModal();
      }
    });
    document.querySelectorAll('[data-open=shortcuts]').forEach((button) => {
      button.hidden = false;
      button.onclick = () => document.getElementById('shortcuts')?.showModal();
    });
  }
})();
