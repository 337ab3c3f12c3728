// The desk's progressive JavaScript: every page works without it. Plain module, no build step.

// Live preview while editing: the server renders the draft exactly as it would send it.
const edit = document.querySelector('form#edit[data-preview]');
if (edit) {
  const target = () => document.getElementById('previews');
  let timer;
  let seq = 0;
  edit.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const mine = ++seq;
      const params = new URLSearchParams();
      for (const name of ['title', 'summary', 'hashtags']) params.set(name, edit.elements[name].value);
      try {
        const res = await fetch(`${edit.dataset.preview}?${params}`, {
          headers: { accept: 'text/html' },
          credentials: 'same-origin',
        });
        if (!res.ok || mine !== seq) return;
        const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
        const fresh = doc.getElementById('previews');
        if (fresh && target()) target().replaceWith(fresh);
      } catch {
        /* the saved version stays shown */
      }
    }, 250);
  });
}

// Broadcast progress by Server-Sent Events.
const progress = document.querySelector('[data-events]');
if (progress && 'EventSource' in window) {
  const source = new EventSource(progress.dataset.events);
  source.onmessage = (event) => {
    const p = JSON.parse(event.data);
    const set = (id, value) => {
      const el = document.getElementById(id);
      if (el) el.textContent = String(value);
    };
    set('bc-sent', p.sent);
    set('bc-waiting', p.remaining);
    set('bc-for-chats', p.waiting);
    set('bc-failed', p.failed);
    set('bc-skipped', p.skipped);
    set('bc-in-doubt', p.inDoubt);
    const meter = document.getElementById('bc-meter');
    const total = p.remaining + p.waiting + p.sent + p.failed + p.skipped + p.inDoubt;
    if (meter) {
      meter.max = Math.max(total, 1);
      meter.value = total - p.remaining - p.waiting;
    }
    const state = document.getElementById('bc-state');
    if (state && p.state) {
      const words = JSON.parse(state.dataset.words || '{}');
      state.dataset.state = p.state;
      state.textContent = words[p.state] || p.state;
    }
    const stop = document.getElementById('stop-wrap');
    if (stop && (p.over || p.state !== 'queued')) stop.hidden = true;
    if (p.over) source.close();
  };
}

// Confirmation before destructive actions (the server does not depend on it).
for (const form of document.querySelectorAll('form[data-confirm]')) {
  form.addEventListener('submit', (event) => {
    if (!confirm(form.dataset.confirm)) event.preventDefault();
  });
}
