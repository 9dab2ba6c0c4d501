// The lag dashboard: one WebSocket to /ws/lag, one frame per sample (schema 1). Plain JS, no
// dependencies, works offline; reconnects with backoff when the gateway restarts.
// With authentication on, it asks for an API key (or takes one from the address's #key=…), keeps it in
// this tab's sessionStorage only, and opens the socket with a one-use ticket (a browser cannot send an
// Authorization header on a WebSocket upgrade).
(function () {
  'use strict';
  const HISTORY_MS = 5 * 60 * 1000;
  const history = [];            // {t, lag, in, out}
  let backoff = 500;
  let lastFrameAt = 0;           // when the last sample arrived (this page's clock)
  let intervalMs = 1000;

  const $ = (id) => document.getElementById(id);
  const fmt = (n) => (n === null || n === undefined) ? '–' : Number(n).toLocaleString('en-US', { maximumFractionDigits: 1 });

  const KEY = 'gateway.apiKey';
  const apiKey = () => sessionStorage.getItem(KEY);
  const withKey = () => (apiKey() ? { Authorization: 'Bearer ' + apiKey() } : {});
  if (location.hash.startsWith('#key=')) {
    sessionStorage.setItem(KEY, decodeURIComponent(location.hash.slice(5)));
    window.history.replaceState(null, '', location.pathname + location.search);
  }

  function askForKey(why) {
    sessionStorage.removeItem(KEY);
    $('login-why').textContent = why;
    $('login').hidden = false;
    setConn(false, 'needs an API key');
  }

  $('login').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(KEY, $('key').value.trim());
    $('key').value = '';
    $('login').hidden = true;
    start();
  });

  /** The feed's address: with a key, a ticket for it first. */
  function feedUrl() {
    const url = (location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + '/ws/lag';
    if (!apiKey()) { return Promise.resolve(url); }
    return fetch('/auth/ticket', { method: 'POST', headers: withKey() }).then((r) => {
      if (r.status === 401 || r.status === 403) { throw new Error('refused'); }
      return r.json();
    }).then((t) => url + '?ticket=' + encodeURIComponent(t.ticket));
  }

  function connect() {
    feedUrl().then(open, (err) => {
      if (err.message === 'refused') { askForKey('The gateway refused that key.'); return; }
      setConn(false);
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 10000);
    });
  }

  function open(url) {
    const ws = new WebSocket(url);
    ws.onopen = () => { backoff = 500; setConn(true); };
    ws.onmessage = (e) => { try { lastFrameAt = Date.now(); render(JSON.parse(e.data)); } catch (err) { console.error(err); } };
    ws.onclose = () => { setConn(false); setTimeout(connect, backoff); backoff = Math.min(backoff * 2, 10000); };
    ws.onerror = () => ws.close();
  }

  function setConn(up, why) {
    const el = $('conn');
    el.textContent = up ? 'live' : (why || 'disconnected — reconnecting');
    el.className = 'conn ' + (up ? 'up' : 'down');
  }

  function render(sample) {
    if (sample.schema !== 1 || !Array.isArray(sample.groups)) { return; }
    intervalMs = sample.intervalMs || intervalMs;
    const updated = $('updated');
    updated.textContent = 'sample ' + new Date(sample.time).toLocaleTimeString() + (sample.stale ? ' — stale: the sampler stopped or keeps failing' : '');
    updated.className = sample.stale ? 'stale' : '';
    let lag = 0, rin = 0, rout = 0;
    const over = [];
    const main = $('groups');
    const seen = new Set();
    for (const g of sample.groups) {
      lag += g.lag; rin += g.rateIn; rout += g.rateOut;
      if (g.overBudget || g.status === 'ERR') { over.push(g); }
      seen.add(g.group);
      let box = document.getElementById('group-' + g.group);
      if (!box) {
        box = document.createElement('section');
        box.className = 'group';
        box.id = 'group-' + g.group;
        main.appendChild(box);
      }
      box.innerHTML = groupHtml(g);
    }
    for (const box of Array.from(main.children)) {
      if (!seen.has(box.id.substring(6))) { box.remove(); }
    }
    const banner = $('banner');
    if (over.length) {
      banner.hidden = false;
      banner.className = 'banner' + (over.some((g) => g.status === 'ERR') ? ' err' : '');
      banner.textContent = over.map((g) => g.fault
        ? `Group ${g.group} cannot apply (since ${new Date(g.fault.since).toLocaleTimeString()}): ${g.fault.message}`
        : g.status === 'ERR'
        ? `Group ${g.group} is stalled: lag ${fmt(g.lag)} and its committed offset is not moving`
        : `Group ${g.group} is over its lag budget: ${fmt(g.lag)} records (budget ${fmt(g.budget.maxRecords)}), ${fmt(g.lagSeconds)} s (budget ${fmt(g.budget.maxSeconds)} s)`).join(' · ');
    } else {
      banner.hidden = true;
    }
    history.push({ t: sample.time, lag, in: rin, out: rout });
    while (history.length && history[0].t < sample.time - HISTORY_MS) { history.shift(); }
    draw();
  }

  function esc(s) { return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c])); }

  function groupHtml(g) {
    const rows = g.partitions.map((p) => `<tr data-partition="${p.partition}">
      <td>${p.partition}</td><td class="lag">${fmt(p.lag)}</td><td>${fmt(p.lagSeconds)}</td>
      <td>${fmt(p.rateIn)}</td><td>${fmt(p.rateOut)}</td><td>${fmt(p.endOffset)}</td><td>${fmt(p.committedOffset)}</td>
      <td>${p.paused ? 'paused' : ''}</td><td class="owner">${p.owner == null ? '' : esc(p.owner)}</td>
      <td><span class="status ${p.status}">${p.status}</span></td></tr>`).join('');
    return `<h2>${esc(g.group)} <span class="status ${g.status}">${g.status}</span></h2>
      <div class="meta">topic <b>${esc(g.topic)}</b> · state <b>${esc(g.state)}</b> · lag <b class="group-lag">${fmt(g.lag)}</b>
      (max ${fmt(g.lagMax)}, ${fmt(g.lagSeconds)} s) · in <b>${fmt(g.rateIn)}</b>/s · out <b>${fmt(g.rateOut)}</b>/s
      · paused <b>${fmt(g.pausedPartitions)}</b> · DLQ depth <b class="dlq">${fmt(g.dlqDepth)}</b>
      · budget ${fmt(g.budget.maxRecords)} records / ${fmt(g.budget.maxSeconds)} s</div>
      ${g.fault ? `<div class="fault">cannot apply since ${esc(new Date(g.fault.since).toLocaleTimeString())}: ${esc(g.fault.message)}</div>` : ''}
      <table><thead><tr><th>partition</th><th>lag</th><th>lag s</th><th>in/s</th><th>out/s</th><th>log end</th><th>committed</th><th>paused</th><th>owner</th><th>status</th></tr></thead>
      <tbody>${rows}</tbody></table>`;
  }

  function draw() {
    const canvas = $('chart');
    const ctx = canvas.getContext('2d');
    const w = canvas.width, h = canvas.height, pad = 36;
    ctx.clearRect(0, 0, w, h);
    if (history.length < 2) { return; }
    const t0 = history[history.length - 1].t - HISTORY_MS;
    const x = (t) => pad + (w - 2 * pad) * (t - t0) / HISTORY_MS;
    const maxLag = Math.max(1, ...history.map((p) => p.lag));
    const maxRate = Math.max(1, ...history.map((p) => Math.max(p.in, p.out)));
    ctx.strokeStyle = '#dde1e7'; ctx.beginPath(); ctx.moveTo(pad, h - pad); ctx.lineTo(w - pad, h - pad); ctx.stroke();
    ctx.fillStyle = '#667'; ctx.font = '11px sans-serif';
    ctx.fillText(fmt(maxLag) + ' rec', 2, pad - 6);
    ctx.fillText(fmt(maxRate) + '/s', w - pad - 20, pad - 6);
    const line = (key, max, color) => {
      ctx.strokeStyle = color; ctx.lineWidth = 2; ctx.beginPath();
      history.forEach((p, i) => {
        const y = h - pad - (h - 2 * pad) * p[key] / max;
        if (i === 0) { ctx.moveTo(x(p.t), y); } else { ctx.lineTo(x(p.t), y); }
      });
      ctx.stroke();
    };
    line('lag', maxLag, '#d9534f');
    line('in', maxRate, '#2b7bb9');
    line('out', maxRate, '#3c9d5d');
  }

  // No frame for several intervals while connected: the sampler stopped (the feed sends nothing then).
  setInterval(() => {
    const quiet = Date.now() - lastFrameAt;
    if (lastFrameAt && quiet > 5 * intervalMs && $('conn').classList.contains('up')) {
      const updated = $('updated');
      updated.textContent = `no sample for ${Math.round(quiet / 1000)} s — the sampler stopped or keeps failing`;
      updated.className = 'stale';
    }
  }, 1000);

  // The latest sample at once (the feed's first frame can be up to a sampling interval away); a 401 says
  // authentication is on and this tab has no (valid) key yet.
  function start() {
    fetch('/lag', { headers: withKey() }).then((r) => {
      if (r.status === 401 || r.status === 403) {
        askForKey(r.status === 401 ? 'Authentication is on: paste an API key with lag.read.' : 'That key may not read the lag (lag.read).');
        return;
      }
      connect();
      return r.ok ? r.json().then((s) => { lastFrameAt = Date.now(); render(s); }) : null;
    }).catch(() => connect());
  }
  start();
})();
