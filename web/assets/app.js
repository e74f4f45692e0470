// Speckle web monitor page: passkey ceremonies, the live event stream and view switching. Every
// number shown was computed by the server (the terminal monitor's code); this file only displays.
'use strict';

const $ = (id) => document.getElementById(id);
let stream = null;
let view = 'Channels';
let lastActivity = 0;
let chartTick = 0;
let lastSnapshot = null;
// Activity is reported at most this often (ms): well inside the server's idle lock.
let activityEvery = 5000;

function b64urlToBuf(s) {
  const b = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(b, (c) => c.charCodeAt(0)).buffer;
}
function bufToB64url(buf) {
  let s = '';
  for (const b of new Uint8Array(buf)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function post(path, body) {
  const r = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body || {}),
    credentials: 'same-origin',
  });
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(j.error || ('HTTP ' + r.status));
  return j;
}

function say(text) { $('message').textContent = text || ''; }

// A credential as webauthn-rs reads it: binary fields base64url, absent ones null.
function asJSON(cred, fields) {
  const response = {};
  for (const f of fields) response[f] = cred.response[f] ? bufToB64url(cred.response[f]) : null;
  return { id: cred.id, rawId: bufToB64url(cred.rawId), type: cred.type, extensions: {}, response };
}

async function register(name, token) {
  const start = await post('/api/register/start', { name, token });
  const pk = start.options.publicKey;
  pk.challenge = b64urlToBuf(pk.challenge);
  pk.user.id = b64urlToBuf(pk.user.id);
  (pk.excludeCredentials || []).forEach((c) => { c.id = b64urlToBuf(c.id); });
  const cred = await navigator.credentials.create({ publicKey: pk });
  const credential = asJSON(cred, ['attestationObject', 'clientDataJSON']);
  return post('/api/register/finish', { ceremony: start.ceremony, credential });
}

async function login(name) {
  const start = await post('/api/login/start', { name });
  const pk = start.options.publicKey;
  pk.challenge = b64urlToBuf(pk.challenge);
  (pk.allowCredentials || []).forEach((c) => { c.id = b64urlToBuf(c.id); });
  const cred = await navigator.credentials.get({ publicKey: pk });
  const credential = asJSON(cred, ['authenticatorData', 'clientDataJSON', 'signature', 'userHandle']);
  return post('/api/login/finish', { ceremony: start.ceremony, credential });
}

function show(which) {
  for (const s of ['login', 'locked', 'dash']) $(s).hidden = s !== which;
  $('logout').hidden = which === 'login';
  document.body.dataset.state = which;
}

async function refresh() {
  const s = await (await fetch('/api/session')).json();
  $('who').textContent = s.user ? 'user ' + s.user : '';
  activityEvery = Math.min(5000, (s.idle_lock_s * 1000) / 4);
  if (s.state === 'live') {
    show('dash');
    startStream();
    loadUsers();
  } else {
    stopStream();
    if (s.state === 'locked') {
      show('locked');
    } else {
      show('login');
      $('setup').hidden = !s.setup;
      if (s.state === 'expired') say('Session expired: log in again.');
    }
  }
  return s;
}

function stopStream() {
  if (stream) stream.close();
  stream = null;
}

function startStream() {
  if (stream) return;
  stream = new EventSource('/api/stream');
  stream.addEventListener('snapshot', (e) => render(JSON.parse(e.data)));
  stream.addEventListener('locked', () => { stopStream(); refresh(); });
  stream.onerror = () => { stopStream(); setTimeout(refresh, 500); };
}

function render(s) {
  lastSnapshot = s;
  $('banner').textContent = s.banner;
  $('alarm').hidden = !s.alarm;
  document.body.dataset.seq = s.seq;
  document.body.dataset.scenario = s.scenario || '';
  for (const [title, text] of Object.entries(s.views)) {
    const v = $('view-' + title);
    if (v && title !== 'Raw') v.querySelector('pre').textContent = text;
  }
  $('raw').textContent = s.raw[$('encoding').value] || '';
  if (++chartTick % 4 === 1) reloadCharts();
}

function reloadCharts() {
  const img = document.querySelector('#view-' + view + ' img');
  if (img) img.src = '/api/chart/' + img.dataset.chart + '.svg?t=' + Date.now();
}

function select(v) {
  view = v;
  for (const d of document.querySelectorAll('.view')) d.classList.toggle('active', d.id === 'view-' + v);
  for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('active', b.dataset.view === v);
  reloadCharts();
  if (v === 'Users') loadUsers();
}

async function loadUsers() {
  const r = await fetch('/api/users');
  if (!r.ok) return;
  const ul = $('users');
  ul.textContent = '';
  for (const u of await r.json()) {
    const li = document.createElement('li');
    li.textContent = u.name + ' (' + u.passkeys + ' passkey' + (u.passkeys === 1 ? '' : 's') + ') ';
    const b = document.createElement('button');
    b.textContent = 'Remove';
    b.addEventListener('click', () => act(() => post('/api/users/remove', { name: u.name }), 'Removed ' + u.name));
    li.appendChild(b);
    ul.appendChild(li);
  }
}

async function act(f, done) {
  say('');
  try {
    await f();
    say(done || '');
  } catch (e) {
    say(e.message);
  }
  await refresh();
}

function activity() {
  const now = Date.now();
  if (now - lastActivity < activityEvery || document.body.dataset.state !== 'dash') return;
  lastActivity = now;
  post('/api/activity').catch(() => refresh());
}

document.addEventListener('DOMContentLoaded', () => {
  $('register').addEventListener('click', () => act(() => register($('name').value, $('token').value)));
  $('signin').addEventListener('click', () => act(() => login($('name').value)));
  $('unlock').addEventListener('click', () => act(() => login($('who').textContent.replace(/^user /, ''))));
  $('logout').addEventListener('click', () => act(() => post('/api/logout'), 'Logged out.'));
  $('adduser').addEventListener('click', () => act(() => register($('newname').value), 'Passkey added.'));
  $('encoding').addEventListener('change', () => { if (lastSnapshot) render(lastSnapshot); });
  for (const b of document.querySelectorAll('#tabs button')) b.addEventListener('click', () => select(b.dataset.view));
  for (const ev of ['keydown', 'click', 'scroll']) document.addEventListener(ev, activity, true);
  select('Channels');
  refresh();
});
