// The inbox by keyboard alone, driven by Playwright in headless Chromium; run by
// tests/it/browser_keyboard.rs, which seeds ten unread threads (`kb-0` … `kb-9`) and one done
// (`kb-old`) in one client and passes in:
//
//   APP_URL        the app's public URL
//   COOKIES_A      Ana (operator, display name "Ana"): she works the threads
//   COOKIES_B      Bob, her teammate: his pages must follow her changes live
//   COOKIES_C      Cleo, a client representative: she may read but not triage
//   ANA_ID         Ana's user id (a thread assigned to her carries it)
//   SCREENSHOT_DIR where screenshots go
//   TENANT         the client's id
//   CHROMIUM_PATH  the browser to drive (default /usr/bin/chromium)

import { chromium } from 'playwright-core';

const APP_URL = required('APP_URL').replace(/\/$/, '');
const ANA_ID = required('ANA_ID');
const SCREENSHOT_DIR = required('SCREENSHOT_DIR');
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** The bound on how soon a teammate's page shows a change. */
const LIVE_MS = 2000;

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set; tests/it/browser_keyboard.rs runs this script`);
  }
  return value;
}

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

async function session(browser, cookies) {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  await context.addCookies(
    cookies.split('; ').map((pair) => {
      const at = pair.indexOf('=');
      return { name: pair.slice(0, at), value: pair.slice(at + 1), url: APP_URL };
    }),
  );
  return context;
}

/** A page of the inbox whose script has started (it reveals the shortcuts button). */
async function open(context, path) {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.log(`page error on ${path}: ${error.message}`));
  await page.goto(`${APP_URL}${path}`);
  await ready(page);
  return page;
}

async function ready(page) {
  await page.waitForSelector('[data-open=shortcuts]:not([hidden])', { timeout: 10_000 });
}

/** Whether the thread (row or open pane) with `key` is in `state`, checked in the page. */
function inState({ key, state, ana }) {
  const holder = document.querySelector(`[data-key="${key}"]:is(li.thread, .thread-pane)`);
  if (!holder) return false;
  const data = holder.dataset;
  switch (state) {
    case 'read': return !('unread' in data);
    case 'unread': return 'unread' in data;
    case 'assigned': return data.owner === ana;
    case 'done': return 'done' in data;
    case 'not done': return !('done' in data);
    case 'snoozed': return data.snoozed !== '';
    case 'viewed': return (holder.querySelector('.presence')?.textContent ?? '').includes('Ana has it open');
    default: throw new Error(state);
  }
}

async function reaches(page, key, state) {
  await page.waitForFunction(inState, { key, state, ana: ANA_ID }, { timeout: LIVE_MS });
}

const delays = [];

/** Presses `keys` on Ana's page; her page and Bob's must then show `state`, Bob's within 2 s. */
async function press(ana, bob, key, keys, state) {
  const pressed = Date.now();
  for (const k of [].concat(keys)) await ana.keyboard.press(k);
  await ana.waitForFunction(inState, { key, state, ana: ANA_ID }, { timeout: 5000 });
  try {
    await reaches(bob, key, state);
  } catch {
    throw new Error(`Bob's page did not show ${key} ${state} within ${LIVE_MS} ms`);
  }
  delays.push(Date.now() - pressed);
}

async function main() {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
  try {
    const bobs = await session(browser, required('COOKIES_B'));
    const bob = await open(bobs, '/inbox?view=all');
    const bobDone = await open(bobs, '/inbox?view=done');
    check(/\(10\)/.test(await bob.title()), `Bob's title counts ten unread: ${await bob.title()}`);
    const anas = await session(browser, required('COOKIES_A'));
    const ana = await open(anas, '/inbox?view=all');

    await ana.keyboard.press('?');
    check(await ana.locator('#shortcuts').isVisible(), '? opens the list of shortcuts');
    await ana.screenshot({ path: `${SCREENSHOT_DIR}/keyboard-shortcuts.png` });
    await ana.keyboard.press('Escape');
    check(!(await ana.locator('#shortcuts').isVisible()), 'Escape closes it');

    const keys = (await ana.$$eval('ol.threads > li.thread', (rows) => rows.map((r) => r.dataset.key)))
      .filter((key) => !/\/kb-(old|colleague)$/.test(key));
    check(keys.length === 10, `ten threads to work: ${keys}`);
    await ana.keyboard.press('j');
    check(await ana.locator(`li.thread.cursor[data-key="${keys[0]}"]`).count() === 1, 'j puts the cursor on the first');
    // Nothing fires while typing: a "j" in the search box stays a letter.
    await ana.keyboard.press('/');
    await ana.keyboard.type('jk');
    check(await ana.inputValue('#inbox-q') === 'jk', 'keys typed into search stay text');
    await ana.fill('#inbox-q', '');
    await ana.keyboard.press('Escape');
    await ana.screenshot({ path: `${SCREENSHOT_DIR}/keyboard-list.png` });
    await Promise.all([ana.waitForURL(/\/inbox\/t\//), ana.keyboard.press('o')]);

    for (const [index, key] of keys.entries()) {
      await ready(ana);
      check(await ana.locator(`.thread-pane[data-key="${key}"]`).count() === 1, `${key} is open`);
      await reaches(bob, key, 'viewed').catch(() => {
        throw new Error(`Bob does not see that Ana has ${key} open`);
      });
      await press(ana, bob, key, 'u', 'read');
      await press(ana, bob, key, 'a', 'assigned');
      if (Number(key.split('/kb-')[1]) % 2 === 0) {
        await press(ana, bob, key, 'e', 'done');
        if (index === 1) {
          await press(ana, bob, key, 'z', 'not done');
          await press(ana, bob, key, 'e', 'done');
        }
      } else {
        await ana.keyboard.press('s');
        check(await ana.locator('#snooze').isVisible(), 's opens the snooze choices');
        await press(ana, bob, key, '2', 'snoozed');
      }
      if (index === 0) await ana.screenshot({ path: `${SCREENSHOT_DIR}/keyboard-thread.png` });
      if (index + 1 < keys.length) {
        await Promise.all([ana.waitForURL((url) => !url.href.includes(encodeURIComponent(key.split('/')[1]))), ana.keyboard.press('j')]);
      }
    }
    console.log(`ok: 10 threads by keyboard; Bob saw each change after ${Math.min(...delays)}–${Math.max(...delays)} ms`);

    await ana.reload();
    await ready(ana);
    for (const key of keys) {
      const number = Number(key.split('/kb-')[1]);
      for (const state of ['read', 'assigned', number % 2 === 0 ? 'done' : 'snoozed']) {
        check(await ana.evaluate(inState, { key, state, ana: ANA_ID }), `after a reload ${key} is ${state}`);
      }
    }
    check(!/\(\d+\)/.test(await bob.title()), `Bob's title has no unread left: ${await bob.title()}`);

    // Bob's Done tab kept its list still and gathered the five arrivals behind a bar.
    const bar = bobDone.locator('.new-bar');
    check(await bar.isVisible(), 'the Done tab shows a "new" bar');
    check((await bar.textContent()).includes('5 new'), `the bar counts five: ${await bar.textContent()}`);
    check(await bobDone.locator('ol.threads > li.thread').count() === 1, 'the list did not move under the cursor');
    await bobDone.screenshot({ path: `${SCREENSHOT_DIR}/keyboard-new-bar.png` });
    await bar.locator('button').click();
    await bobDone.waitForFunction(() => document.querySelectorAll('ol.threads > li.thread').length === 6);
    console.log('ok: the Done tab held its list behind "5 new", then showed them');

    // A reply from the lead's colleague is marked; "l" attaches the address to the lead.
    const colleague = await open(anas, `/inbox/t/${required('TENANT')}/kb-colleague?view=all`);
    check(await colleague.locator('[data-shortcut=attach]').count() === 1, 'the colleague reply is marked');
    await Promise.all([colleague.waitForNavigation(), colleague.keyboard.press('l')]);
    await ready(colleague);
    check(await colleague.locator('[data-shortcut=attach]').count() === 0, 'l attached the colleague to the lead');
    console.log('ok: l attached a colleague reply to the lead');

    // Cleo may read but not triage: her "u" shows at once, is refused, and visibly reverts.
    const cleo = await open(await session(browser, required('COOKIES_C')), '/inbox?view=all');
    await cleo.keyboard.press('j');
    const first = await cleo.locator('li.thread.cursor').getAttribute('data-key');
    await cleo.keyboard.press('u');
    const alert = cleo.locator('#inbox-alert');
    await alert.waitFor({ state: 'visible', timeout: 5000 });
    check((await alert.textContent()).startsWith('Not saved:'), `the refusal is said: ${await alert.textContent()}`);
    await cleo.waitForFunction((key) => !document.querySelector(`li.thread[data-key="${key}"]`).classList.contains('unread'), first);
    check(await cleo.evaluate(inState, { key: first, state: 'read', ana: ANA_ID }), 'the refused change is not shown');
    await cleo.screenshot({ path: `${SCREENSHOT_DIR}/keyboard-refused.png` });
    console.log(`ok: a refused action reverted and said "${(await alert.textContent()).trim()}"`);
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
