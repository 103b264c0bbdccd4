// Kapstok in a real browser (Debian's Chromium): every page and state passes axe-core with the
// WCAG 2.2 AA tags, reflows at 320 px, survives 200% text, works by keyboard and without JavaScript.
//
// Run: npm --prefix browser test   (builds nothing; expects KAPSTOK_BIN or target/debug/kapstok)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const ROOT = path.resolve(import.meta.dirname, '..');
const TARGET = process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target');
const BIN = process.env.KAPSTOK_BIN || path.join(TARGET, 'debug', 'kapstok');
const SHOTS = path.join(ROOT, 'target', 'browser');
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

let server;
let base;
let browser;
let invitation;

before(async () => {
  assert.ok(existsSync(BIN), `Kapstok binary not found at ${BIN}; run cargo build first`);
  mkdirSync(SHOTS, { recursive: true });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kapstok-browser-'));
  // An invited colleague, as the first beheerder would be made from the command line.
  const added = spawnSync(BIN, ['--data-dir', dataDir, 'user', 'add', '--email', 'nieuw@emmen.nl', '--name', 'Nieuwe Collega', '--role', 'teamlid', '--team', 'Steunpunt Mantelzorg De Kapstok'], { encoding: 'utf8' });
  assert.equal(added.status, 0, added.stderr);
  invitation = new URL(added.stdout.trim().split('\n').pop()).pathname;
  // Every page here comes from one address: budgets for forms and sign-ins that a suite needs.
  server = spawn(BIN, ['--data-dir', dataDir, 'serve', '--listen', '127.0.0.1:0', '--sign-in-attempts', '1000', '--writes-per-minute', '1000'], {
    env: { ...process.env, RUST_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Kapstok did not start within 30 s')), 30_000);
    server.stdout.on('data', (chunk) => {
      const m = /http:\/\/(127\.0\.0\.1:\d+)\//.exec(chunk.toString());
      if (m) {
        clearTimeout(timer);
        resolve(`http://${m[1]}`);
      }
    });
    server.on('exit', (code) => reject(new Error(`Kapstok exited with ${code}`)));
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

// Every page and state a visitor can reach, by name.
const STATES = {
  home: '/',
  search: '/zoeken?q=dagbesteding+dementie',
  'search-postcode': '/zoeken?q=dagbesteding+dementie&postcode=7891',
  'search-facets': '/zoeken?q=dementie&functie=respijtzorg&gebied=de-blokken',
  'search-browse-page-2': '/zoeken?functie=respijtzorg&pagina=2',
  'search-empty': '/zoeken?q=xyzzyq&functie=educatie&postcode=7891&straal=2',
  'error-postcode-malformed': '/zoeken?q=dementie&postcode=abcd',
  'error-postcode-unknown': '/zoeken?q=dementie&postcode=1234',
  'error-filter-unknown': '/zoeken?functie=onzin',
  'error-radius': '/zoeken?postcode=7811&straal=9999',
  functions: '/functies',
  areas: '/gebieden',
  'not-found': '/bestaat-niet',
  'error-bad-id': '/aanbod/%FF%FE',
  'error-address-too-long': `/zoeken?q=${'a'.repeat(40000)}`,
  'search-no-usable-words': '/zoeken?q=%F0%9F%98%80',
  'print-empty': '/afdrukken',
  booklet: '/boekje',
  activities: '/activiteiten',
  'activities-filtered': '/activiteiten?doelgroep=mantelzorgers&gebied=de-velden',
  'activities-none': '/activiteiten?doelgroep=vrijwilligers&gebied=de-monden&soort=e-learning',
  'activity-cafe': '/activiteiten/act-demo-cafe-centrum',
  'activity-full': '/activiteiten/act-demo-thema-dementie',
  'activity-elearning': '/activiteiten/act-demo-e-learning',
  'activity-cancel-unknown': '/activiteiten/afmelden/onbekend',
  'respite-start': '/respijtwijzer',
  'respite-question': '/respijtwijzer/vraag',
  'respite-urgent': '/respijtwijzer/vraag?stap=2&urgent=ja',
  'respite-question-error': '/respijtwijzer/vraag?stap=3&urgent=nee',
  'respite-postcode-question': '/respijtwijzer/vraag?stap=7&urgent=nee&leeftijd=oudere&aandoening=dementie&pauze=dagprogramma&hoe-vaak=wekelijks&regeling=geen',
  'respite-postcode-error': '/respijtwijzer/resultaat?urgent=nee&leeftijd=oudere&aandoening=dementie&pauze=dagprogramma&hoe-vaak=wekelijks&regeling=geen&postcode=abcd',
  'respite-result': '/respijtwijzer/resultaat?urgent=ja&leeftijd=oudere&aandoening=dementie&pauze=dagprogramma&hoe-vaak=wekelijks&regeling=geen&postcode=7891',
  'selfcheck-list': '/mantelzorgtest',
  'selfcheck-form': '/mantelzorgtest/indicatief',
};

async function newPage(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  return { context, page };
}

async function firstServiceHref(page) {
  await page.goto(`${base}/zoeken?q=dagbesteding+dementie&postcode=7891`);
  return page.locator('.result h3 a').first().getAttribute('href');
}

async function axeCheck(page, name) {
  const results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  if (results.violations.length > 0) {
    await page.screenshot({ path: path.join(SHOTS, `axe-${name}.png`), fullPage: true });
    const report = results.violations
      .map((v) => `  ${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary}`).join('\n')}`)
      .join('\n');
    assert.fail(`${name} (${page.url()}) has ${results.violations.length} axe violation(s):\n${report}`);
  }
}

test('every page and state has 0 axe violations (WCAG 2.2 AA tags)', async () => {
  const { context, page } = await newPage();
  const detail = await firstServiceHref(page);
  const states = { ...STATES, detail, organization: null, print: null };
  await page.goto(base + detail);
  states.organization = await page.locator('a[href^="/organisaties/"]').first().getAttribute('href');
  states.print = `/afdrukken?id=${detail.split('/').pop()}`;
  for (const [name, url] of Object.entries(states)) {
    await page.goto(base + url);
    await axeCheck(page, name);
  }
  // The English interface too.
  await context.addCookies([{ name: 'lang', value: 'en', url: base }]);
  for (const name of ['home', 'search-postcode', 'error-postcode-malformed']) {
    await page.goto(base + STATES[name]);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await axeCheck(page, `${name}-en`);
  }
  await context.close();
});

test('nothing scrolls sideways at 320×256', async () => {
  const { context, page } = await newPage({ viewport: { width: 320, height: 256 } });
  const detail = await firstServiceHref(page);
  for (const [name, url] of Object.entries({ ...STATES, detail })) {
    await page.goto(base + url);
    const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    if (scroll > client) await page.screenshot({ path: path.join(SHOTS, `reflow-${name}.png`), fullPage: true });
    assert.ok(scroll <= client, `${name}: scrollWidth ${scroll} > clientWidth ${client}`);
  }
  await context.close();
});

test('200% text: nothing is cut off or scrolls sideways', async () => {
  const { context, page } = await newPage({ viewport: { width: 640, height: 800 } });
  const detail = await firstServiceHref(page);
  for (const [name, url] of Object.entries({ ...STATES, detail })) {
    await page.goto(base + url);
    const problems = await page.evaluate(() => {
      document.documentElement.style.fontSize = '200%';
      const out = [];
      if (document.documentElement.scrollWidth > document.documentElement.clientWidth) out.push('page scrolls sideways');
      for (const el of document.querySelectorAll('body *')) {
        const style = getComputedStyle(el);
        const clips = ['hidden', 'clip'].includes(style.overflowX) || ['hidden', 'clip'].includes(style.overflowY);
        if (clips && el.getClientRects().length && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) && el.clientWidth > 1) {
          out.push(`${el.tagName.toLowerCase()}.${el.className} clips its content`);
        }
      }
      return out;
    });
    if (problems.length) await page.screenshot({ path: path.join(SHOTS, `text200-${name}.png`), fullPage: true });
    assert.deepEqual(problems, [], `${name}: ${problems.join(', ')}`);
  }
  await context.close();
});

test('keyboard alone: skip link first, focus always visible, no trap, a whole search', async () => {
  const { context, page } = await newPage();
  await page.goto(`${base}/`);
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => ({ text: document.activeElement.textContent.trim(), href: document.activeElement.getAttribute('href') }));
  assert.equal(first.href, '#inhoud', `first stop is the skip link, got ${JSON.stringify(first)}`);
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'inhoud', 'skip link moves focus to the content');

  for (const url of ['/', STATES['search-postcode'], STATES['error-postcode-malformed']]) {
    await page.goto(base + url);
    const seen = new Set();
    let last = null;
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      const info = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        const s = getComputedStyle(el);
        const visible = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';
        return { key: `${el.tagName}#${el.id}.${el.getAttribute('href') || el.getAttribute('name') || ''}:${[...el.parentNode.children].indexOf(el)}`, visible, html: el.outerHTML.slice(0, 120) };
      });
      if (!info) continue;
      assert.ok(info.visible, `${url}: focus not visible on ${info.html}`);
      assert.notEqual(info.key, last, `${url}: focus stuck on ${info.html}`);
      last = info.key;
      seen.add(info.key);
    }
    assert.ok(seen.size >= 10, `${url}: only ${seen.size} focus stops`);
  }

  // The search journey without a mouse: type, submit with Enter, open a result with Enter.
  await page.goto(`${base}/`);
  await page.keyboard.press('Tab'); // skip link
  await page.keyboard.press('Enter');
  for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement.id)) !== 'q'; i++) await page.keyboard.press('Tab');
  await page.keyboard.type('dagbesteding dementie');
  await page.keyboard.press('Tab');
  await page.keyboard.type('7891');
  await Promise.all([page.waitForURL(/\/zoeken\?/), page.keyboard.press('Enter')]);
  assert.match(await page.locator('#results-count').textContent(), /dichtbij 7891/);
  await page.locator('.result h3 a').first().focus();
  await Promise.all([page.waitForURL(/\/aanbod\//), page.keyboard.press('Enter')]);
  assert.match(await page.locator('h2.service-title').textContent(), /Klazienaveen/);
  await context.close();
});

test('the journeys work with JavaScript disabled', async () => {
  const { context, page } = await newPage({ javaScriptEnabled: false });
  await page.goto(`${base}/`);
  await page.fill('#q', 'dagbesteding dementie');
  await page.fill('#postcode', '7891');
  await Promise.all([page.waitForURL(/\/zoeken\?/), page.click('form.search-box button[type=submit]')]);
  const names = await page.locator('.result h3 a').allTextContents();
  assert.ok(names[0].includes('Klazienaveen'), names[0]);
  const before = names.length;

  // A facet: tick and apply (a plain GET form).
  await page.check('#f-gebied-de-blokken');
  await Promise.all([page.waitForURL(/gebied=de-blokken/), page.click('.facets button[type=submit]')]);
  const narrowed = await page.locator('.result').count();
  assert.ok(narrowed > 0 && narrowed <= before, `${narrowed} of ${before}`);

  // Select two results and print them.
  const boxes = page.locator('.select-print input[type=checkbox]');
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await Promise.all([page.waitForURL(/\/afdrukken\?/), page.click('#print-form button')]);
  assert.equal(await page.locator('article.service').count(), 2);

  // Detail page, English switch, error state, 404.
  await page.goto(`${base}/zoeken?q=oppas`);
  await Promise.all([page.waitForURL(/\/aanbod\//), page.locator('.result h3 a').first().click()]);
  assert.ok(await page.locator('text=Hoe meldt u zich aan').count());
  await Promise.all([page.waitForURL(/\/aanbod\//), page.click('a[hreflang=en]')]);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.ok(await page.locator('text=How to apply').count());
  await page.goto(`${base}/zoeken?postcode=abcd`);
  assert.ok(await page.locator('.error-summary').count());
  const response = await page.goto(`${base}/bestaat-niet`);
  assert.equal(response.status(), 404);
  await context.close();
});

test('the booklet: from the areas page, by keyboard and without JavaScript, to De Velden as a PDF', async () => {
  const { context, page } = await newPage({ javaScriptEnabled: false });
  await page.goto(`${base}/gebieden`);
  await page.locator('a[href="/boekje"]').focus();
  await Promise.all([page.waitForURL(/\/boekje$/), page.keyboard.press('Enter')]);
  assert.equal(await page.locator('h1').textContent(), 'De Mantelzorgwijzer als boekje');
  const link = page.locator('a', { hasText: 'De Velden' });
  assert.equal(await link.count(), 1);
  const href = await link.getAttribute('href');
  assert.equal(href, '/boekje/gebied/de-velden.pdf');
  const pdf = await page.request.get(base + href);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
  await context.close();
});

test('print view hides navigation and forms', async () => {
  const { context, page } = await newPage();
  await page.goto(`${base}${STATES['search-postcode']}`);
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.facets').isVisible(), false);
  assert.equal(await page.locator('.site-header nav').isVisible(), false);
  assert.equal(await page.locator('.result').first().isVisible(), true);
  await context.close();
});

test('the respite guide by keyboard and without JavaScript, and the self-check in every state', async () => {
  for (const javaScriptEnabled of [true, false]) {
    const { context, page } = await newPage({ javaScriptEnabled });
    await page.goto(`${base}/respijtwijzer`);
    await Promise.all([page.waitForURL(/vraag/), page.click('a.button-link')]);
    const answers = ['nee', 'oudere', 'dementie', 'dagprogramma', 'wekelijks', 'geen'];
    for (const answer of answers) {
      // Choose with the keyboard: focus the option, Space selects it, Enter submits the form.
      const radio = page.locator(`input[type=radio][value="${answer}"]`);
      await radio.focus();
      await page.keyboard.press('Space');
      await Promise.all([page.waitForURL(/stap=|resultaat/), page.keyboard.press('Enter')]);
    }
    await page.fill('#postcode', '7891');
    await Promise.all([page.waitForURL(/resultaat/), page.keyboard.press('Enter')]);
    const first = page.locator('.result').first();
    assert.match(await first.locator('h3').textContent(), /Klazienaveen/);
    assert.match(await first.textContent(), /Wmo \(gemeente\)/);
    assert.match(await first.textContent(), /Wmo-toegang \/ steunpunt/);
    if (javaScriptEnabled) await axeCheck(page, 'respite-result-journey');

    // Self-check: an incomplete form is sent back with errors; a complete one gives a band.
    await page.goto(`${base}/mantelzorgtest/indicatief`);
    await page.check('#v0-2');
    await Promise.all([page.waitForLoadState(), page.click('form button[type=submit]')]);
    assert.ok(await page.locator('.error-summary').count(), 'error summary shown');
    if (javaScriptEnabled) await axeCheck(page, 'selfcheck-error');
    for (let i = 1; i < 7; i++) await page.check(`#v${i}-1`);
    await page.fill('#postcode', '7891');
    await Promise.all([page.waitForLoadState(), page.click('form button[type=submit]')]);
    assert.match(await page.locator('h1').textContent(), /belast/);
    if (javaScriptEnabled) {
      await axeCheck(page, 'selfcheck-result');
      await page.setViewportSize({ width: 320, height: 256 });
      const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      assert.ok(scroll <= client, `self-check result scrolls sideways at 320 px: ${scroll} > ${client}`);
    }
    await context.close();
  }
});

// RFC 6238 with SHA-1, 30 s, six digits: what an authenticator app computes from the key.
function totp(key, seconds = Date.now() / 1000) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of key.replace(/\s|=/g, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(seconds / 30)));
  const h = createHmac('sha1', bytes).update(counter).digest();
  const o = h[19] & 0xf;
  return ((h.readUInt32BE(o) & 0x7fffffff) % 1000000).toString().padStart(6, '0');
}

// axe-core, and no sideways scrolling at 320 px, for a page of the professional side.
async function checkProState(page, name) {
  await axeCheck(page, name);
  const size = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 256 });
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  if (scroll > client) await page.screenshot({ path: path.join(SHOTS, `reflow-${name}.png`), fullPage: true });
  assert.ok(scroll <= client, `${name}: scrollWidth ${scroll} > clientWidth ${client} at 320 px`);
  await page.setViewportSize(size);
}

// Enter in the focused form, then wait for the page its POST answers with (also when the address
// stays the same, as for a form shown again with its errors).
async function submit(page, urlPattern) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
  assert.match(page.url(), urlPattern);
}

test('signing in with two factors, in every state, by keyboard, with and without JavaScript', async () => {
  for (const javaScriptEnabled of [true, false]) {
    const { context, page } = await newPage({ javaScriptEnabled });
    const check = async (name) => { if (javaScriptEnabled) await checkProState(page, name); };
    await page.goto(`${base}/werk`);
    assert.match(page.url(), /\/inloggen\?terug=%2Fwerk$/);
    await check('sign-in');
    // A second factor can be used once per 30 seconds: each pass its own account.
    const account = javaScriptEnabled ? 'wijkteam@demo.kapstok.nl' : 'poh@demo.kapstok.nl';
    await page.fill('#email', account);
    await page.fill('#password', 'niet het wachtwoord');
    await submit(page, /\/inloggen$/);
    assert.ok(await page.locator('.error-summary').count(), 'the refusal is shown');
    await check('sign-in-error');
    await page.fill('#password', 'mantelzorg-emmen-demo');
    await submit(page, /\/inloggen\/code$/);
    await check('sign-in-code');
    await page.fill('#code', '000000');
    await submit(page, /\/inloggen\/code$/);
    assert.ok(await page.locator('.error-summary').count(), 'a wrong code is refused');
    await check('sign-in-code-error');
    const code = (await page.locator('.demo-note code').textContent()).trim();
    await page.fill('#code', code);
    await submit(page, /\/werk$/);
    assert.match(await page.locator('h1').textContent(), /Mijn Kapstok/);
    await check('workspace');
    // Sign out from the header, by keyboard.
    await page.locator('.pro-bar button').focus();
    await Promise.all([page.waitForURL(/afgemeld=1/), page.keyboard.press('Enter')]);
    assert.ok(await page.locator('.notice').count());
    await check('sign-in-signed-out');
    await context.close();
  }
});

test('an invitation: choosing a password, setting up two factors, the recovery codes', async () => {
  const { context, page } = await newPage();
  await page.goto(`${base}/uitnodiging/${'0'.repeat(64)}`);
  await checkProState(page, 'invitation-invalid');
  await page.goto(base + invitation);
  await checkProState(page, 'invitation');
  await page.fill('#password', 'een goede lange zin');
  await page.fill('#password2', 'een andere lange zin');
  await submit(page, /\/uitnodiging\//);
  assert.ok(await page.locator('.error-summary').count());
  await checkProState(page, 'invitation-error');
  await page.fill('#password', 'een goede lange zin');
  await page.fill('#password2', 'een goede lange zin');
  await submit(page, /welkom=1/);
  await page.fill('#email', 'nieuw@emmen.nl');
  await page.fill('#password', 'een goede lange zin');
  await submit(page, /\/inloggen\/instellen$/);
  assert.ok(await page.locator('.qr svg').count(), 'a QR code to scan');
  await checkProState(page, 'totp-setup');
  const key = await page.locator('.secret code').textContent();
  await page.fill('#code', totp(key));
  await submit(page, /\/inloggen\/instellen$/);
  assert.equal(await page.locator('.recovery-codes li').count(), 10);
  await checkProState(page, 'recovery-codes');
  await Promise.all([page.waitForURL(/\/werk$/), page.click('a.button-link')]);
  await checkProState(page, 'workspace-invited');
  await context.close();
});

async function signInDemo(page, user) {
  await page.goto(`${base}/inloggen`);
  await page.fill('#email', `${user}@demo.kapstok.nl`);
  await page.fill('#password', 'mantelzorg-emmen-demo');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  if (/\/inloggen\/code$/.test(page.url())) {
    await page.fill('#code', (await page.locator('.demo-note code').textContent()).trim());
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  }
  assert.match(page.url(), /\/werk$/);
}

test("the beheerder's and the privacy officer's pages, filled and with errors", async () => {
  const { context, page } = await newPage();
  await signInDemo(page, 'beheerder');
  await checkProState(page, 'workspace-beheerder');
  await Promise.all([page.waitForURL(/\/werk\/teams\//), page.locator('main a[href^="/werk/teams/"]').first().click()]);
  assert.ok(await page.locator('table.data tbody tr').count(), 'the team lists its members');
  await checkProState(page, 'team');
  for (const [name, url] of [['admin-users', '/beheer/gebruikers'], ['admin-teams', '/beheer/teams'], ['admin-areas', '/beheer/gebieden']]) {
    await page.goto(base + url);
    await checkProState(page, name);
  }
  // An invitation with a bad address: the form comes back with its error.
  await page.goto(`${base}/beheer/gebruikers`);
  await page.fill('#name', 'Nina Nieuw');
  // What a browser would refuse by itself reaches the server from other clients: its answer too.
  await page.evaluate(() => { for (const f of document.forms) f.noValidate = true; });
  await page.fill('#email', 'geen-adres');
  await page.locator('.role-grid input[type=checkbox]').first().check();
  await page.locator('#email').focus();
  await submit(page, /\/beheer\/gebruikers$/);
  assert.ok(await page.locator('.error-summary').count());
  await checkProState(page, 'admin-users-error');
  await page.fill('#email', 'nina@wijkteam.example');
  await page.locator('#email').focus();
  await submit(page, /\/beheer\/gebruikers$/);
  assert.ok(await page.locator('.notice').count());
  await checkProState(page, 'admin-users-invited');
  await page.goto(`${base}/beheer/mail`);
  assert.ok(await page.locator('article.mail').count());
  await checkProState(page, 'admin-mail');
  await page.goto(`${base}/beheer/gebruikers`);
  await Promise.all([page.waitForURL(/\/beheer\/gebruikers\/u-/), page.locator('a', { hasText: 'Nina Nieuw' }).click()]);
  await checkProState(page, 'admin-user');
  await page.goto(`${base}/beheer/teams`);
  await Promise.all([page.waitForURL(/\/beheer\/teams\/team-/), page.locator('table a').first().click()]);
  await checkProState(page, 'admin-team');
  await page.goto(`${base}/beheer/gebieden`);
  await page.fill('#csv', 'area_code,area_name,municipality,postcode\nx,X,Emmen,abcd\n');
  await page.locator('form.stack-form button').click();
  await page.waitForLoadState();
  assert.ok(await page.locator('.error-summary').count());
  await checkProState(page, 'admin-areas-error');
  await page.goto(`${base}/werk/activiteit`);
  await checkProState(page, 'own-activity');
  await context.close();

  const fg = await newPage();
  await signInDemo(fg.page, 'privacy');
  await fg.page.goto(`${base}/toegangslog`);
  assert.ok(await fg.page.locator('table.log tbody tr').count());
  await checkProState(fg.page, 'access-log');
  await fg.page.goto(`${base}/toegangslog?van=gisteren`);
  assert.ok(await fg.page.locator('.error-summary').count());
  await checkProState(fg.page, 'access-log-error');
  await fg.page.goto(`${base}/toegangslog?van=2020-01-01&tot=2020-01-02`);
  await checkProState(fg.page, 'access-log-empty');
  await fg.context.close();
});

test('asking for a new password, and the forbidden page, with and without JavaScript', async () => {
  for (const javaScriptEnabled of [true, false]) {
    const { context, page } = await newPage({ javaScriptEnabled });
    const check = async (name) => { if (javaScriptEnabled) await checkProState(page, name); };
    await page.goto(`${base}/inloggen`);
    await Promise.all([page.waitForURL(/wachtwoord-vergeten/), page.click('a[href="/wachtwoord-vergeten"]')]);
    await check('forgot');
    if (javaScriptEnabled) {
      await page.evaluate(() => { for (const f of document.forms) f.noValidate = true; });
      await page.fill('#email', 'geen adres');
      await page.locator('#email').focus();
      await submit(page, /wachtwoord-vergeten$/);
      assert.ok(await page.locator('.error-summary').count());
      await check('forgot-error');
    }
    await page.fill('#email', 'iemand@example.org');
    await page.locator('#email').focus();
    await submit(page, /wachtwoord-vergeten$/);
    assert.ok(await page.locator('.notice').count());
    await check('forgot-sent');
    await page.goto(`${base}/herstel/${'0'.repeat(64)}`);
    await check('reset-invalid');
    await signInDemo(page, 'beleid');
    const response = await page.goto(`${base}/beheer/gebruikers`);
    assert.equal(response.status(), 403);
    await check('forbidden');
    await context.close();
  }
});

// Press a button by keyboard and wait for the page its form's POST answers with.
async function press(page, selector, urlPattern) {
  await page.locator(selector).focus();
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
  assert.match(page.url(), urlPattern);
}

// A team member works the newest referral in their inbox by keyboard: opens it, a note with a
// BSN is refused, a good note, assigned to themselves, accepted, closed with an outcome.
async function workReferral(page, check) {
  await Promise.all([page.waitForURL(/\/werk\/teams\//), page.locator('main a[href^="/werk/teams/"]').first().click()]);
  await page.goto(`${page.url()}/verwijzingen`);
  assert.ok(await page.locator('table.data tbody tr').count(), 'the referral is in the inbox');
  await check('referral-inbox');
  await Promise.all([page.waitForURL(/\/verwijzingen\/r-/), page.locator('table.data tbody a').first().click()]);
  const file = page.url();
  assert.ok((await page.locator('main').textContent()).includes('Jan Jansen'), 'the team sees the details');
  await check('referral-file');
  await page.fill('#tekst', 'Zijn BSN is 111222333');
  await press(page, 'form[action$="/notitie"] button', /\/notitie$/);
  assert.ok(await page.locator('.error-summary').count(), 'a BSN in a note is refused');
  assert.equal(await page.locator('#tekst').inputValue(), 'Zijn BSN is 111222333', 'the text is kept');
  await check('referral-file-error');
  await page.fill('#tekst', 'Gebeld, voicemail ingesproken.');
  await press(page, 'form[action$="/notitie"] button', /\/verwijzingen\/r-[0-9a-f]+\?klaar=notitie$/);
  await page.selectOption('#aan', { index: 1 });
  await press(page, 'form[action$="/toewijzen"] button', /klaar=toegewezen$/);
  await press(page, 'button[value="accept"]', /klaar=stap$/);
  await check('referral-file-accepted');
  await page.selectOption('#uitkomst', 'hulp-geregeld');
  await press(page, 'form[action$="/stap"] button:not([name])', /klaar=stap$/);
  assert.ok((await page.locator('main').textContent()).includes('geen stappen meer'), 'closed');
  await check('referral-file-closed');
  await page.goto(`${file.replace(/\/r-[0-9a-f]+$/, '')}?status=alle&toegewezen=mij`);
  assert.ok(await page.locator('table.data tbody tr').count(), 'assigned to me, in all states');
  await check('referral-inbox-filtered');
}

test('the verwijsroute: refer with consent, the team works it, the referrer sees the loop closed', async () => {
  let referrer;
  for (const javaScriptEnabled of [true, false]) {
    const { context, page } = await newPage({ javaScriptEnabled });
    const check = async (name) => { if (javaScriptEnabled) await checkProState(page, name); };
    await signInDemo(page, javaScriptEnabled ? 'poh' : 'wijkteam');
    await page.goto(`${base}/werk/verwijzen`);
    await check('referral-form');
    if (javaScriptEnabled) {
      await page.goto(`${base}/werk/verwijzen?test=indicatief&uitslag=overbelast`);
      assert.ok((await page.locator('.notice').textContent()).includes('mantelzorgtest'));
      await check('referral-form-from-selfcheck');
      await page.goto(`${base}/werk/verwijzen`);
    }
    // Without JavaScript the district-team member refers to (and then works in) their own team.
    await page.selectOption('#team', { label: javaScriptEnabled ? 'Steunpunt Mantelzorg De Kapstok' : 'Sociaal Wijkteam De Velden' });
    await page.fill('#name', 'Jan Jansen');
    await page.fill('#phone', '0591 000 111');
    await page.fill('#postcode', '7811');
    await page.locator('#note').fill('BSN 111222333');
    await page.locator('#postcode').focus();
    await submit(page, /\/werk\/verwijzen$/);
    assert.ok(await page.locator('.error-summary').count(), 'a BSN is refused');
    await check('referral-form-error');
    await page.locator('#note').fill('Graag na tien uur bellen.');
    if (javaScriptEnabled) {
      // No team chosen: Kapstok suggests one from the postcode and the reason, sending nothing.
      const team = await page.locator('#team').inputValue();
      await page.selectOption('#team', '');
      await page.selectOption('#reason', 'overbelasting');
      await page.locator('#postcode').focus();
      await submit(page, /\/werk\/verwijzen$/);
      assert.match(await page.locator('.notice').textContent(), /Voorgesteld: Steunpunt Mantelzorg De Kapstok/);
      await check('referral-form-suggested');
      await page.selectOption('#team', team);
    }
    await page.check('#consent');
    await page.check('#method-mondeling');
    await page.locator('#postcode').focus();
    await submit(page, /\/werk\/verwijzen$/);
    assert.match(await page.locator('.notice').textContent(), /K-20\d\d-\d{4}/);
    await check('referral-receipt');
    await page.goto(`${base}/werk/verwijzingen`);
    assert.ok(await page.locator('table.data tbody tr').count());
    await check('referral-mine');
    if (javaScriptEnabled) {
      referrer = { context, page };
    } else {
      await page.goto(`${base}/werk`);
      await workReferral(page, check);
      await context.close();
    }
  }
  // The steunpunt's consultant works the practice nurse's referral.
  const { context, page } = await newPage();
  await signInDemo(page, 'consulent');
  await workReferral(page, (name) => checkProState(page, name));
  const inbox = page.url().replace(/\?.*$/, '');
  // The practice nurse sees it closed, with its outcome, and nothing the team wrote.
  const { page: poh, context: pohContext } = referrer;
  await poh.goto(`${base}/werk/verwijzingen`);
  await Promise.all([poh.waitForURL(/\/werk\/verwijzingen\/r-/), poh.locator('table.data tbody a').first().click()]);
  const text = await poh.locator('main').textContent();
  assert.ok(text.includes('afgerond') && text.includes('Hulp geregeld'), 'the loop is closed');
  assert.ok(!text.includes('voicemail') && !text.includes('Jan Jansen'), 'no notes, no details');
  await checkProState(poh, 'referral-follow');

  // Another carer, with leave to forward: the consultant forwards it to De Velden.
  await poh.goto(`${base}/werk/verwijzen`);
  await poh.selectOption('#team', { label: 'Steunpunt Mantelzorg De Kapstok' });
  await poh.fill('#name', 'Els Evers');
  await poh.fill('#email', 'els@example.org');
  await poh.fill('#postcode', '7891');
  await poh.check('#consent');
  await poh.check('#consent_forward');
  await poh.check('#method-schriftelijk');
  await poh.locator('#postcode').focus();
  await submit(poh, /\/werk\/verwijzen$/);
  const code = (await poh.locator('.secret code').textContent()).trim();
  assert.match(code, /^[0-9a-f]{10}$/);
  await pohContext.close();
  await page.goto(inbox);
  await Promise.all([page.waitForURL(/\/verwijzingen\/r-/), page.locator('table.data tbody a').first().click()]);
  assert.ok((await page.locator('main').textContent()).includes('Els Evers'));
  await Promise.all([page.waitForURL(/\/doorsturen$/), page.locator('a[href$="/doorsturen"]').click()]);
  await checkProState(page, 'referral-forward');
  await page.selectOption('#naar', { label: 'Sociaal Wijkteam De Velden' });
  await press(page, 'form[action$="/doorsturen"] button', /\/doorsturen$/);
  assert.ok(await page.locator('.error-summary').count(), 'a forward needs a reason');
  await checkProState(page, 'referral-forward-error');
  await page.fill('#waarom', 'Woont in De Velden; het wijkteam helpt thuis.');
  await press(page, 'form[action$="/doorsturen"] button', /\/doorsturen$/);
  assert.match(await page.locator('.notice').textContent(), /Sociaal Wijkteam De Velden: K-20\d\d-\d{4}/);
  await checkProState(page, 'referral-forwarded');
  await page.goto(page.url().replace(/\/doorsturen$/, '/inzage'));
  assert.ok((await page.locator('main').textContent()).includes('Petra'), 'who looked, for the carer');
  await checkProState(page, 'referral-access-report');
  // The overdue list (the demo has a referral waiting past its term) and such a file.
  await page.goto(`${inbox}?status=te-laat`);
  assert.ok(await page.locator('table.data tbody tr').count(), 'an overdue referral in the demo');
  await checkProState(page, 'referral-inbox-overdue');
  await Promise.all([page.waitForURL(/\/verwijzingen\/r-/), page.locator('table.data tbody a').first().click()]);
  assert.ok(await page.locator('p.alert').count(), 'the file says the term has passed');
  await checkProState(page, 'referral-file-overdue');
  await context.close();

  // The carer with the code: a wrong code, their page, withdrawing (first without the tick),
  // without JavaScript; each state checked with axe in a page that has it.
  const carer = await newPage({ javaScriptEnabled: false });
  const axePage = await newPage();
  const checkAt = async (url, name) => { await axePage.page.goto(url); await checkProState(axePage.page, name); };
  await carer.page.goto(`${base}/toestemming`);
  await checkAt(`${base}/toestemming`, 'consent-lookup');
  await axePage.page.fill('#code', 'fout');
  await submit(axePage.page, /\/toestemming$/);
  await checkProState(axePage.page, 'consent-lookup-error');
  await carer.page.fill('#code', 'fout');
  await submit(carer.page, /\/toestemming$/);
  assert.ok(await carer.page.locator('.error-summary').count(), 'a wrong code is named');
  await carer.page.fill('#code', code.toUpperCase());
  await submit(carer.page, new RegExp(`/toestemming/${code}$`));
  const mine = await carer.page.locator('main').textContent();
  assert.ok(mine.includes('Sociaal Wijkteam De Velden') && mine.includes('Steunpunt Mantelzorg De Kapstok'), 'both teams');
  assert.ok(!mine.includes('Els Evers'), 'not the name');
  await checkAt(`${base}/toestemming/${code}`, 'consent-receipt');
  await press(axePage.page, 'form[action$="/intrekken"] button', /\/intrekken$/);
  await checkProState(axePage.page, 'consent-withdraw-error');
  await press(carer.page, 'form[action$="/intrekken"] button', /\/intrekken$/);
  assert.ok(await carer.page.locator('.error-summary').count(), 'withdrawing needs the tick');
  await carer.page.check('#zeker');
  await press(carer.page, 'form[action$="/intrekken"] button', /klaar=ingetrokken$/);
  assert.ok((await carer.page.locator('.notice').textContent()).includes('ingetrokken'));
  await checkAt(`${base}/toestemming/${code}`, 'consent-withdrawn');
  await carer.context.close();
  await axePage.context.close();
});

test('"Neem contact met mij op": from a service page and a self-check result, refused without consent, then sent; with and without JavaScript', async () => {
  for (const javaScriptEnabled of [true, false]) {
    const { context, page } = await newPage({ javaScriptEnabled });
    const check = async (name) => { if (javaScriptEnabled) await checkProState(page, name); };
    const detail = await firstServiceHref(page);
    await page.goto(base + detail);
    await Promise.all([page.waitForURL(/\/neem-contact-op\?aanbod=/), page.locator('a[href^="/neem-contact-op"]').click()]);
    await check('contact-form');
    await page.fill('#name', javaScriptEnabled ? 'Ria Rijks' : 'Bram Bos');
    await page.fill('#email', 'ria@example.org');
    await page.fill('#postcode', '7891');
    await page.locator('#postcode').focus();
    await submit(page, /\/neem-contact-op$/);
    assert.ok((await page.locator('.error-summary').textContent()).includes('niets opgeslagen'), 'no consent, nothing kept');
    assert.equal(await page.locator('#name').inputValue(), javaScriptEnabled ? 'Ria Rijks' : 'Bram Bos', 'what was typed is kept');
    await check('contact-form-error');
    await page.check('#consent');
    await page.locator('#postcode').focus();
    await submit(page, /\/neem-contact-op$/);
    assert.match(await page.locator('.notice').textContent(), /neemt contact met u op/);
    assert.match((await page.locator('.secret code').textContent()).trim(), /^[0-9a-f]{10}$/);
    await check('contact-sent');
    // From a self-check's result: the button opens the same form.
    await page.goto(`${base}/mantelzorgtest/indicatief`);
    for (const radio of await page.locator('fieldset').all()) await radio.locator('input[type="radio"]').last().check();
    await Promise.all([page.waitForNavigation(), page.locator('form[action^="/mantelzorgtest"] button[type="submit"]').click()]);
    await Promise.all([page.waitForURL(/\/neem-contact-op$/), page.locator('form[action="/neem-contact-op"] button').click()]);
    assert.ok(await page.locator('input[name="uitslag"]').count(), 'the band goes along');
    await check('contact-form-from-result');
    await context.close();
  }
});

// Clicks and waits for the page the click's navigation answers with.
async function clickTo(page, locator, urlPattern) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), locator.click()]);
  if (urlPattern) assert.match(page.url(), urlPattern);
}

test('the social map: edit with errors, publish and find it, history and restore, a suggestion accepted, a report answered, the check list', async () => {
  const { context, page } = await newPage();
  await signInDemo(page, 'redactie');
  assert.ok(await page.locator('a[href="/werk/kaart"]').count(), 'the workspace links to editing');
  await checkProState(page, 'workspace-redactie');
  await page.goto(`${base}/werk/kaart`);
  await checkProState(page, 'map-list');
  await page.fill('#q', 'consulent');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  await checkProState(page, 'map-list-filtered');
  await clickTo(page, page.locator('.record-lines a[href^="/werk/kaart/aanbod/"]').first(), /\/werk\/kaart\/aanbod\//);
  const edit = new URL(page.url()).pathname;
  const id = edit.split('/').pop();
  await checkProState(page, 'map-service-form');
  // Mistakes come back in the summary, with what was typed.
  await page.fill('#name', 'Mantelzorgconsulent Zwaluw');
  await page.fill('#email', 'geen-adres');
  await page.fill('#opens_mo', '25:00');
  await page.fill('#closes_mo', '17:00');
  await clickTo(page, page.locator('form.stack-form button[type=submit]'), new RegExp(`${edit}$`));
  assert.ok(await page.locator('.error-summary a[href="#email"]').count());
  assert.ok(await page.locator('.error-summary a[href="#opens_mo"]').count());
  assert.equal(await page.locator('#name').inputValue(), 'Mantelzorgconsulent Zwaluw', 'what was typed is kept');
  await checkProState(page, 'map-service-form-error');
  await page.fill('#email', 'consulent@steunpunt.example');
  await page.fill('#opens_mo', '9:00');
  await clickTo(page, page.locator('form.stack-form button[type=submit]'), /klaar=gepubliceerd/);
  assert.ok(await page.locator('.notice').count());
  await checkProState(page, 'map-service-published');
  // In search at once.
  const published = Date.now();
  await page.goto(`${base}/zoeken?q=zwaluw`);
  assert.equal(await page.locator('.result h3 a').first().textContent(), 'Mantelzorgconsulent Zwaluw');
  assert.ok(Date.now() - published < 2000, 'seen in search within 2 s');
  // The history, a version, and restoring it.
  await page.goto(`${base}${edit}/geschiedenis`);
  assert.ok(await page.locator('.history table.data').count(), 'what changed');
  await checkProState(page, 'map-history');
  await clickTo(page, page.locator('a[href$="/geschiedenis/1"]'), /\/geschiedenis\/1$/);
  await checkProState(page, 'map-version');
  await clickTo(page, page.locator('form.stack-form button'), /klaar=teruggezet/);
  await page.goto(`${base}/zoeken?q=zwaluw`);
  assert.equal(await page.locator('.result').count(), 0, 'the old name is back');
  // The organisation's form.
  await page.goto(`${base}/werk/kaart`);
  await clickTo(page, page.locator('.record-lines a[href^="/werk/kaart/organisaties/"]').first(), /\/werk\/kaart\/organisaties\//);
  await checkProState(page, 'map-org-form');
  // The demo's suggestion: the diff, accepted with an answer.
  await page.goto(`${base}/werk/kaart/voorstellen`);
  await checkProState(page, 'map-suggestions');
  await clickTo(page, page.locator('.record-lines a').first(), /\/werk\/kaart\/voorstellen\/v-/);
  assert.ok(await page.locator('ins').count(), 'the proposed text');
  await checkProState(page, 'map-suggestion');
  await page.fill('#antwoord', 'Dank u, het staat erop.');
  await clickTo(page, page.locator('button[value="aannemen"]'), /klaar=aangenomen/);
  await checkProState(page, 'map-suggestions-done');
  // The demo's report: answered (by mail, kept in the outbox without SMTP) and closed.
  await page.goto(`${base}/werk/kaart/meldingen`);
  await checkProState(page, 'map-corrections');
  await clickTo(page, page.locator('.record-lines a').first(), /\/werk\/kaart\/meldingen\/m-/);
  await checkProState(page, 'map-correction');
  await page.fill('#antwoord', 'Dank u, we hebben het aangepast.');
  await clickTo(page, page.locator('form.stack-form button'), /klaar=beantwoord/);
  await checkProState(page, 'map-corrections-done');
  // Due for a check: confirm one.
  await page.goto(`${base}/werk/kaart/controle`);
  const due = await page.locator('table.data tbody tr').count();
  assert.ok(due > 0);
  await checkProState(page, 'map-due');
  await clickTo(page, page.locator('table.data button').first(), /klaar=gecontroleerd/);
  assert.equal(await page.locator('table.data tbody tr').count(), due - 1);
  await page.goto(`${base}/werk/kaart/controle?maanden=abc`);
  await checkProState(page, 'map-due-error');
  // The table for Excel: a download link, and an upload with a report per row.
  await page.goto(`${base}/werk/kaart/tabel`);
  await checkProState(page, 'map-table');
  await page.setInputFiles('#bestand', { name: 'kaart.csv', mimeType: 'text/csv', buffer: Buffer.from(`id;bedrag\r\n${id};gratis?\r\n`) });
  await clickTo(page, page.locator('form.stack-form button'), /\/werk\/kaart\/tabel$/);
  assert.match(await page.locator('.error-summary').textContent(), /Rij 2, kolom bedrag/);
  await checkProState(page, 'map-table-error');
  await context.close();

  // The organisation's editor: its own records, as a suggestion.
  const org = await newPage();
  await signInDemo(org.page, 'vrijwilligers');
  await org.page.goto(`${base}/werk/kaart`);
  assert.ok(await org.page.locator('text=Dank u, het staat erop.').count(), 'the answer to their suggestion');
  await checkProState(org.page, 'map-list-organization');
  await clickTo(org.page, org.page.locator('.record-lines a[href^="/werk/kaart/aanbod/"]').first(), /\/werk\/kaart\/aanbod\//);
  await checkProState(org.page, 'map-service-form-organization');
  await org.page.fill('#wait_time', 'Twee weken');
  await clickTo(org.page, org.page.locator('form.stack-form button[type=submit]'), /klaar=voorstel/);
  await checkProState(org.page, 'map-service-suggested');
  assert.equal((await org.page.goto(`${base}/werk/kaart/voorstellen`)).status(), 403, "the review is the steunpunt's");
  await org.context.close();

  // A visitor: "Klopt er iets niet?", too fast first, then sent; with and without JavaScript.
  for (const javaScriptEnabled of [true, false]) {
    const v = await newPage({ javaScriptEnabled });
    const check = async (name) => { if (javaScriptEnabled) await checkProState(v.page, name); };
    await v.page.goto(`${base}/aanbod/${id}`);
    await clickTo(v.page, v.page.locator('a[href$="/klopt-er-iets-niet"]'), /klopt-er-iets-niet$/);
    await check('correction-form');
    await v.page.fill('#message', 'Het telefoonnummer klopt niet.');
    await clickTo(v.page, v.page.locator('form.stack-form button'), /klopt-er-iets-niet$/);
    assert.ok(await v.page.locator('.error-summary').count(), 'too fast');
    assert.equal(await v.page.locator('#message').inputValue(), 'Het telefoonnummer klopt niet.');
    await check('correction-form-error');
    await v.page.waitForTimeout(3200);
    await clickTo(v.page, v.page.locator('form.stack-form button'), /klopt-er-iets-niet$/);
    assert.ok(await v.page.locator('.notice').count(), 'sent');
    await check('correction-sent');
    await v.context.close();
  }
});

test('editing without JavaScript: the form publishes and keeps what was typed on an error', async () => {
  const { context, page } = await newPage({ javaScriptEnabled: false });
  await signInDemo(page, 'redactie');
  await page.goto(`${base}/werk/kaart`);
  await clickTo(page, page.locator('.record-lines a[href^="/werk/kaart/aanbod/"]').nth(1), /\/werk\/kaart\/aanbod\//);
  await page.fill('#minimum_age', 'oud');
  await clickTo(page, page.locator('form.stack-form button[type=submit]'));
  assert.ok(await page.locator('.error-summary a[href="#minimum_age"]').count());
  assert.equal(await page.locator('#minimum_age').inputValue(), 'oud');
  await page.fill('#minimum_age', '18');
  await clickTo(page, page.locator('form.stack-form button[type=submit]'), /klaar=gepubliceerd/);
  await context.close();
});

test('the vocabulary: taxonomies, a term with errors and added, the search words with an error, saved and reset; with and without JavaScript', async () => {
  for (const javaScriptEnabled of [true, false]) {
    const { context, page } = await newPage({ javaScriptEnabled });
    const check = async (name) => { if (javaScriptEnabled) await checkProState(page, name); };
    await signInDemo(page, 'redactie');
    await page.goto(`${base}/werk/kaart`);
    await clickTo(page, page.locator('.sub-nav a[href="/werk/kaart/indelingen"]'), /\/werk\/kaart\/indelingen$/);
    await check('vocabulary-list');
    // A term's form, then a new term: first without a name, then with one.
    await clickTo(page, page.locator('table.data a[href*="/termen/"]').first(), /\/termen\//);
    await check('vocabulary-term');
    await page.goto(`${base}/werk/kaart/indelingen`);
    await clickTo(page, page.locator('main ul.inline-links a:not([href$="/nieuw"])').first(), /\/werk\/kaart\/indelingen\/[^/]+$/);
    await check('vocabulary-taxonomy');
    await page.fill('#name', '');
    await clickTo(page, page.locator('form.stack-form button[type=submit]'), /\/werk\/kaart\/indelingen\/[^/]+$/);
    assert.ok(await page.locator('.error-summary a[href="#name"]').count());
    await check('vocabulary-taxonomy-errors');
    await page.goto(`${base}/werk/kaart/indelingen`);
    await clickTo(page, page.locator('a[href$="/nieuw"]').nth(1), /\/nieuw$/);
    await check('vocabulary-new-term');
    await page.fill('#code', 'Met Spatie');
    await clickTo(page, page.locator('form.stack-form button[type=submit]'), /\/nieuw$/);
    assert.ok(await page.locator('.error-summary a[href="#name"]').count());
    assert.ok(await page.locator('.error-summary a[href="#code"]').count());
    assert.equal(await page.locator('#code').inputValue(), 'Met Spatie');
    await check('vocabulary-term-errors');
    const name = `Browsertest ${javaScriptEnabled ? 'met' : 'zonder'} script`;
    await page.fill('#name', name);
    await page.fill('#code', '');
    await clickTo(page, page.locator('form.stack-form button[type=submit]'), /indelingen\?klaar=opgeslagen/);
    assert.ok(await page.locator(`table.data a:text-is("${name}")`).count(), 'the new term is listed');
    // The search words: an error kept as typed, then saved, then the standard list again.
    await clickTo(page, page.locator('main a[href="/werk/kaart/zoekwoorden"]'), /zoekwoorden$/);
    await check('vocabulary-words');
    const list = page.locator('#lijst-synoniemen');
    const original = await list.inputValue();
    await list.fill(`${original}\nalleen dit`);
    await clickTo(page, page.locator('form[action="/werk/kaart/zoekwoorden/synoniemen"] button'), /zoekwoorden\/synoniemen$/);
    assert.ok(await page.locator('.error-summary a[href="#lijst-synoniemen"]').count());
    assert.match(await list.inputValue(), /alleen dit/);
    await check('vocabulary-words-error');
    await list.fill(`${original}\nzwaluwstaart, dagbesteding`);
    await clickTo(page, page.locator('form[action="/werk/kaart/zoekwoorden/synoniemen"] button'), /klaar=opgeslagen/);
    await check('vocabulary-words-own');
    const found = await (await page.request.get(`${base}/zoeken?q=zwaluwstaart`)).text();
    assert.match(found, /class="result"/, 'the synonym finds services');
    await clickTo(page, page.locator('form[action="/werk/kaart/zoekwoorden/synoniemen/standaard"] button'), /klaar=standaard/);
    assert.equal(await page.locator('form[action$="/standaard"]').count(), 0);
    await context.close();
  }
});

test('activities: a visitor registers with an error, then on the waiting list, and cancels by the link; with and without JavaScript', async () => {
  for (const javaScriptEnabled of [true, false]) {
    const { context, page } = await newPage({ javaScriptEnabled });
    const check = async (name) => { if (javaScriptEnabled) await checkProState(page, name); };
    await page.goto(`${base}/`);
    await clickTo(page, page.locator('.site-header a[href="/activiteiten"]'), /\/activiteiten$/);
    await page.selectOption('#doelgroep', 'mantelzorgers');
    await clickTo(page, page.locator('form.filters-inline button'), /doelgroep=mantelzorgers/);
    await clickTo(page, page.locator('.result-list a[href="/activiteiten/act-demo-cafe-centrum"]'), /act-demo-cafe-centrum$/);
    // Without a way to reach them: the form says so and keeps the name.
    await page.fill('#name', 'Els Browser');
    await clickTo(page, page.locator('form.stack-form button[type=submit]'), /aanmelden$/);
    assert.ok(await page.locator('.error-summary a[href="#email"]').count());
    assert.equal(await page.locator('#name').inputValue(), 'Els Browser');
    await check('activity-register-error');
    await page.fill('#email', `els.${javaScriptEnabled ? 'met' : 'zonder'}@example.org`);
    await page.locator('#email').press('Enter');
    await page.waitForURL(/aanmelden$/);
    assert.ok(await page.locator('.notice:has-text("aangemeld")').count(), 'registered');
    await check('activity-registered');
    // The same address again: refused, with the reason.
    await page.goto(`${base}/activiteiten/act-demo-cafe-centrum`);
    await page.fill('#name', 'Els Browser');
    await page.fill('#email', `els.${javaScriptEnabled ? 'met' : 'zonder'}@example.org`);
    await clickTo(page, page.locator('form.stack-form button[type=submit]'), /aanmelden$/);
    assert.ok(await page.locator('.error-summary:has-text("al aangemeld")').count(), 'already registered');
    await check('activity-register-already');
    // The full theme meeting: the waiting list.
    await page.goto(`${base}/activiteiten/act-demo-thema-dementie`);
    await page.fill('#name', 'Wacht Even');
    await page.fill('#phone', '06 12345678');
    await clickTo(page, page.locator('form.stack-form button[type=submit]'), /aanmelden$/);
    assert.ok(await page.locator('.notice:has-text("wachtlijst")').count(), 'waiting list');
    const link = new URL(await page.locator('.code a').getAttribute('href')).pathname;
    await clickTo(page, page.locator('.code a'), /afmelden\//);
    await check('activity-cancel-form');
    await clickTo(page, page.locator('form.stack-form button'), /afmelden\//);
    assert.ok(await page.locator('.notice:has-text("afgemeld")').count(), 'cancelled');
    await check('activity-cancelled');
    await page.goto(base + link);
    assert.ok(await page.locator('.notice:has-text("al afgemeld")').count(), 'once');
    await check('activity-cancel-already');
    await context.close();
  }
});

test("activities: the coördinator publishes with errors, sees a date's list, marks attendance, moves a date with an error and sees the reach; a professional's list; with and without JavaScript", async () => {
  for (const javaScriptEnabled of [true, false]) {
    const { context, page } = await newPage({ javaScriptEnabled });
    const check = async (name) => { if (javaScriptEnabled) await checkProState(page, name); };
    await signInDemo(page, 'consulent');
    await clickTo(page, page.locator('main a[href="/werk/activiteiten"]'), /\/werk\/activiteiten$/);
    await check('activity-desk');
    await clickTo(page, page.locator('main a.button[href="/werk/activiteiten/nieuw"]'), /nieuw$/);
    await check('activity-new');
    await page.selectOption('#kind', 'scholing-wmo-zorgloket');
    await page.fill('#title', `Wmo-scholing ${javaScriptEnabled ? 'met' : 'zonder'} script`);
    await page.fill('#capacity', 'veel');
    await page.fill('#date', '16-03-2027');
    await page.fill('#starts', '9:30');
    await page.fill('#ends', '12:30');
    await clickTo(page, page.locator('form.stack-form button[type=submit]'), /nieuw$/);
    assert.ok(await page.locator('.error-summary a[href="#audience"]').count());
    assert.ok(await page.locator('.error-summary a[href="#capacity"]').count());
    assert.equal(await page.locator('#capacity').inputValue(), 'veel');
    await check('activity-new-errors');
    await page.check('#audience-wmo-consulent');
    await page.fill('#capacity', '12');
    await page.check('#repeat-jaarlijks');
    await page.fill('#repeat_count', '3');
    await page.check('#published');
    await clickTo(page, page.locator('form.stack-form button[type=submit]').first(), /klaar=nieuw/);
    await check('activity-edit');
    // A demo date with participants: attendance, then a move with a mistake.
    await page.goto(`${base}/werk/activiteiten/act-demo-netwerk`);
    await clickTo(page, page.locator('table.data a[href*="/datums/"]').first(), /\/datums\//);
    await check('activity-date');
    const box = page.locator('input[name="aanwezig"]').first();
    if (await box.count()) {
      await box.check();
      await clickTo(page, page.locator('form[action$="/aanwezig"] button'), /klaar=aanwezig/);
      await check('activity-date-saved');
    }
    await page.goto(`${base}/werk/activiteiten/act-demo-cafe-centrum`);
    await clickTo(page, page.locator('table.data a[href*="/datums/"]').last(), /\/datums\//);
    await page.fill('#date', '32-13-2027');
    await page.fill('#starts', '14:00');
    await clickTo(page, page.locator('form[action$="/verplaatsen"] button'), /verplaatsen$/);
    assert.ok(await page.locator('.error-summary a[href="#date"]').count());
    await check('activity-date-move-error');
    await page.goto(`${base}/werk/activiteiten/bereik`);
    await check('activity-reach');
    await page.fill('#van', 'gisteren');
    await clickTo(page, page.locator('form.filters-inline button'), /bereik\?/);
    assert.ok(await page.locator('.error-summary a[href="#van"]').count());
    await check('activity-reach-error');
    await context.close();

    // A practice nurse: their group first, registering with the account.
    const poh = await newPage({ javaScriptEnabled });
    await signInDemo(poh.page, 'poh');
    await clickTo(poh.page, poh.page.locator('main a[href="/werk/scholing"]'), /\/werk\/scholing$/);
    if (javaScriptEnabled) await checkProState(poh.page, 'activity-mine');
    await poh.page.selectOption('#groep', 'poh');
    await clickTo(poh.page, poh.page.locator('form[action="/werk/scholing/groep"] button'), /klaar=groep/);
    assert.ok(await poh.page.locator('h2:has-text("Voor uw beroepsgroep")').count(), 'own group first');
    if (javaScriptEnabled) await checkProState(poh.page, 'activity-mine-group');
    // Once each: the e-learning with JavaScript, the refresher training without.
    const target = javaScriptEnabled ? 'act-demo-e-learning' : 'act-demo-nascholing-poh';
    await clickTo(poh.page, poh.page.locator(`.result-list a[href="/werk/scholing/${target}"]`).first(), new RegExp(`${target}$`));
    if (javaScriptEnabled) await checkProState(poh.page, 'activity-mine-page');
    await clickTo(poh.page, poh.page.locator('form.stack-form button[type=submit]'), /aanmelden$/);
    assert.ok(await poh.page.locator('.notice:has-text("aangemeld")').count(), 'registered with the account');
    if (javaScriptEnabled) await checkProState(poh.page, 'activity-mine-registered');
    await poh.context.close();
  }
});

test('signals: a district-team member records one with personal data refused, the municipality answers, groups and prints the report; with and without JavaScript', async () => {
  for (const javaScriptEnabled of [true, false]) {
    const { context, page } = await newPage({ javaScriptEnabled });
    const check = async (name) => { if (javaScriptEnabled) await checkProState(page, name); };
    // The district-team member (the practice nurse signed in twice just before: one code).
    await signInDemo(page, 'wijkteam');
    await clickTo(page, page.locator('main a[href="/werk/signalen"]'), /\/werk\/signalen$/);
    await check('signal-mine');
    await clickTo(page, page.locator('main a.button[href="/werk/signalen/nieuw"]'), /nieuw$/);
    await check('signal-new');
    await page.selectOption('#theme', 'wachtlijst-respijtzorg');
    await page.selectOption('#area', 'de-velden');
    await page.fill('#text', 'Mevrouw belt 06-12345678: de dagopvang heeft een wachtlijst.');
    await page.selectOption('#addressee', 'gemeente');
    await clickTo(page, page.locator('form.stack-form button[type=submit]'), /nieuw$/);
    assert.ok(await page.locator('.error-summary a[href="#text"]').count());
    assert.ok(await page.locator('.error-summary a[href="#no_personal"]').count());
    await check('signal-new-errors');
    const text = `De dagopvang in Klazienaveen heeft een wachtlijst (${javaScriptEnabled ? 'met' : 'zonder'} script).`;
    await page.fill('#text', text);
    await page.check('#no_personal-1');
    await clickTo(page, page.locator('form.stack-form button[type=submit]'), /klaar=verstuurd/);
    await check('signal-follow');
    await context.close();

    const gem = await newPage({ javaScriptEnabled });
    const checkGem = async (name) => { if (javaScriptEnabled) await checkProState(gem.page, name); };
    await signInDemo(gem.page, 'beleid');
    await clickTo(gem.page, gem.page.locator('main a[href="/werk/signalen/ontvangen"]'), /ontvangen$/);
    await checkGem('signal-inbox');
    await clickTo(gem.page, gem.page.locator(`table.data tr:has-text("Wachtlijst respijtzorg") a[href^="/werk/signalen/ontvangen/"]`).first(), /ontvangen\/sig-/);
    await checkGem('signal-file');
    await gem.page.fill('#answer', 'Mail beleid@emmen.example');
    await clickTo(gem.page, gem.page.locator('form:has(#answer) button'), /ontvangen\/sig-/);
    assert.ok(await gem.page.locator('.error-summary a[href="#answer"]').count());
    await checkGem('signal-file-error');
    await gem.page.fill('#answer', 'We bespreken het in het overleg van januari.');
    await clickTo(gem.page, gem.page.locator('form:has(#answer) button'), /klaar=stap/);
    await checkGem('signal-file-answered');
    await gem.page.goto(`${base}/werk/signalen/ontvangen`);
    await gem.page.locator('input[name="signaal"]').nth(0).check();
    await gem.page.locator('input[name="signaal"]').nth(1).check();
    await gem.page.fill('#group', 'Browsertest');
    await clickTo(gem.page, gem.page.locator('form[action$="/groeperen"] button'), /klaar=gegroepeerd/);
    await checkGem('signal-inbox-grouped');
    await gem.page.goto(`${base}/werk/signalen/rapport`);
    await checkGem('signal-report');
    assert.ok(await gem.page.locator('h2:has-text("Browsertest")').count(), 'the group is in the report');
    await gem.page.fill('#van', 'gisteren');
    await clickTo(gem.page, gem.page.locator('form.filters-inline button'), /rapport\?/);
    assert.ok(await gem.page.locator('.error-summary').count());
    await checkGem('signal-report-error');
    await gem.context.close();
  }
});

test("the municipality's dashboard: figures, chart and tables, a period with an error; with and without JavaScript", async () => {
  for (const javaScriptEnabled of [true, false]) {
    const { context, page } = await newPage({ javaScriptEnabled });
    const check = async (name) => { if (javaScriptEnabled) await checkProState(page, name); };
    await signInDemo(page, 'beleid');
    await clickTo(page, page.locator('main a[href="/werk/dashboard"]'), /\/werk\/dashboard$/);
    assert.ok(await page.locator('svg[role="img"] title').count(), 'the chart has a title');
    assert.ok(await page.locator('table.data caption').count() >= 8, 'the tables beside it');
    await check('dashboard');
    await page.fill('#van', 'vorig jaar');
    await clickTo(page, page.locator('form.filters-inline button'), /dashboard\?/);
    assert.ok(await page.locator('.error-summary a[href="#van"]').count());
    await check('dashboard-error');
    const csv = await page.request.get(`${base}/werk/dashboard/signalen.csv`);
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()['content-type'], /text\/csv/);
    // The printable report: the same figures, no form and no downloads.
    await page.goto(`${base}/werk/dashboard/rapport`);
    assert.equal(await page.locator('form.filters-inline').count(), 0, 'no form in the report');
    assert.ok(await page.locator('table.data caption').count() >= 8, 'the report holds the tables');
    await check('dashboard-report');
    await context.close();
  }
});
