// End-to-end test of `speckle web --demo` in headless Chromium with a virtual passkey (DevTools
// WebAuthn domain): register with the console's one-time token, log out and in, live health
// data, the `stuck` alarm in Health and Events, every view, a second user added from the page,
// the idle lock (stream refused), unlock, logout (refused afterwards). Screenshots of each view
// go to SHOTS. Every wait is bounded.
//
// Usage: node e2e.mjs SPECKLE_BINARY SHOTS_DIR
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [bin, shots] = process.argv.slice(2);
if (!bin || !shots) throw new Error('usage: node e2e.mjs SPECKLE_BINARY SHOTS_DIR');
mkdirSync(shots, { recursive: true });
const port = 20000 + Math.floor(Math.random() * 20000);
const origin = `http://localhost:${port}`;
const state = mkdtempSync(join(tmpdir(), 'speckle-web-e2e-'));
const IDLE_S = 4;

const step = (s) => console.log(`web-e2e: ${s}`);
function fail(msg) {
  throw new Error(msg);
}

const server = spawn(bin, ['web', '--demo', '--listen', `127.0.0.1:${port}`, '--state-dir', state,
  '--idle-lock', `${IDLE_S}s`, '--demo-rotate', '12s'], { stdio: ['ignore', 'pipe', 'pipe'] });
let out = '';
let log = '';
server.stdout.on('data', (d) => { out += d; });
server.stderr.on('data', (d) => { log += d; });

async function until(what, f, seconds) {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const v = await f().catch(() => null);
    if (v) return v;
    if (Date.now() > end) fail(`timed out after ${seconds} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

let browser;
try {
  const token = await until('the one-time token on the console',
    async () => (out.match(/one-time token (\S+)/) || [])[1], 60);
  if (log.includes(token)) fail('the setup token appeared in the log');
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run'],
    timeout: 60000,
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.setDefaultTimeout(20000);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true,
      hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  const status = (path) => page.evaluate(async (p) => (await fetch(p)).status, path);
  const bodyState = () => page.evaluate(() => document.body.dataset.state);
  const viewText = (v) => page.evaluate((id) => document.querySelector(`#view-${id} pre`).textContent, v);

  await page.goto(origin);
  await until('the login page', async () => (await bodyState()) === 'login', 20);
  for (const p of ['/api/snapshot', '/api/stream', '/api/chart/health.svg', '/api/users']) {
    if ((await status(p)) !== 401) fail(`${p} served before login`);
  }
  await page.screenshot({ path: join(shots, 'login.png') });
  step('register the first passkey with the printed token');
  await page.fill('#name', 'alice');
  await page.fill('#token', token);
  await page.click('#register');
  await until('the dashboard after registering', async () => (await bodyState()) === 'dash', 20);
  await page.click('#logout');
  await until('the login page after logout', async () => (await bodyState()) === 'login', 20);
  step('log in with the passkey');
  await page.fill('#name', 'alice');
  await page.click('#signin');
  await until('the dashboard after login', async () => (await bodyState()) === 'dash', 20);

  step('live health data');
  await page.click('button[data-view="Health"]');
  await until('health statistics against cutoffs', async () => /RCT max run .*cutoff/.test(await viewText('Health')), 30);
  const seq0 = Number(await page.evaluate(() => document.body.dataset.seq));
  await until('the stream to advance', async () => Number(await page.evaluate(() => document.body.dataset.seq)) > seq0 + 2, 10);

  step('wait for the demo to switch to stuck; the alarm shows in Health and Events');
  const views = ['Health', 'Events'];
  let i = 0;
  await until('the RCT alarm in Health and Events', async () => {
    await page.click(`button[data-view="${views[i++ % 2]}"]`); // user activity keeps the session live
    const h = await viewText('Health');
    const e = await viewText('Events');
    return /alarms latched: .*RCT/.test(h) && /ALARM latched: .*RCT/.test(e)
      && (await page.evaluate(() => document.body.dataset.scenario)) === 'stuck';
  }, 45);
  if (!(await page.isVisible('#alarm'))) fail('the ALARM badge is not shown');
  for (const v of ['Channels', 'Health', 'SFP', 'Throughput', 'Audit', 'Raw', 'Events', 'Users']) {
    await page.click(`button[data-view="${v}"]`);
    if (v !== 'Users' && v !== 'Raw') {
      await until(`the ${v} view's text`, async () => (await viewText(v)).trim().length > 0, 10);
    }
    const img = await page.$(`#view-${v} img`);
    if (img) {
      await until(`the ${v} chart`, () => img.evaluate((el) => el.complete && el.naturalWidth > 0), 15);
    }
    if (v === 'Raw') {
      await page.selectOption('#encoding', 'emoji');
      await until('emoji in the raw tap', async () => /\p{Extended_Pictographic}/u.test(await page.textContent('#raw')), 10);
    }
    if (v === 'Users') {
      step('add a second user from the page');
      await page.fill('#newname', 'bob');
      await page.click('#adduser');
      await until('bob in the user list', async () => /bob \(1 passkey\)/.test(await page.textContent('#users')), 20);
    }
    await page.screenshot({ path: join(shots, `${v.toLowerCase()}.png`), fullPage: true });
  }

  step('idle lock');
  await until('the session lock', async () => (await bodyState()) === 'locked', IDLE_S + 10);
  if ((await status('/api/stream')) !== 401) fail('the stream is served while locked');
  if ((await status('/api/snapshot')) !== 401) fail('data is served while locked');
  await page.screenshot({ path: join(shots, 'locked.png') });
  step('unlock with the passkey');
  await page.click('#unlock');
  await until('the dashboard after unlock', async () => (await bodyState()) === 'dash', 20);
  const seq1 = Number(await page.evaluate(() => document.body.dataset.seq));
  await until('the stream after unlock', async () => Number(await page.evaluate(() => document.body.dataset.seq)) > seq1, 10);
  step('log out; refused afterwards');
  await page.click('#logout');
  await until('the login page after logout', async () => (await bodyState()) === 'login', 20);
  for (const p of ['/api/snapshot', '/api/stream', '/api/chart/health.svg', '/api/users']) {
    if ((await status(p)) !== 401) fail(`${p} served after logout`);
  }
  if (log.includes(token)) fail('the setup token appeared in the log');
  if (/speckle_session=/.test(log)) fail('a session cookie appeared in the log');
  step(`passed; screenshots in ${shots}`);
} catch (e) {
  console.error(`web-e2e: FAILED: ${e.message}\n--- server log (last 30 lines) ---`);
  console.error(log.split('\n').slice(-30).join('\n'));
  process.exitCode = 1;
} finally {
  if (browser) await browser.close().catch(() => {});
  server.kill('SIGTERM');
  rmSync(state, { recursive: true, force: true });
}
