// Lead work by keyboard alone, driven by Playwright in headless Chromium; run by
// tests/it/browser_leads.rs, which seeds a thread with a positive reply from LEAD, a tag, and a
// second lead with hostile notes, and passes in:
//
//   APP_URL        the app's public URL
//   COOKIES        Ana's session (an install admin who owns the client)
//   TENANT         the client's id
//   THREAD         the lead's thread
//   LEAD           the lead's address
//   HOSTILE_LEAD   the lead whose notes try to run script
//   TAG_NAME       the client's one tag
//   SPEED_FROM     a day before the seeded reply, for the speed-to-reply report
//   SCREENSHOT_DIR where screenshots go
//   CHROMIUM_PATH  the browser to drive (default /usr/bin/chromium)

import path from 'node:path';
import { chromium } from 'playwright-core';

const APP_URL = required('APP_URL').replace(/\/$/, '');
const TENANT = required('TENANT');
const THREAD = required('THREAD');
const LEAD = required('LEAD');
const TAG_NAME = required('TAG_NAME');
const SCREENSHOT_DIR = required('SCREENSHOT_DIR');
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const BACKGROUND = { light: 'rgb(247, 247, 248)', dark: 'rgb(21, 22, 26)' };

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set; tests/it/browser_leads.rs runs this script`);
  }
  return value;
}

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

const problems = [];

async function session(browser) {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  await context.addCookies(
    required('COOKIES').split('; ').map((pair) => {
      const at = pair.indexOf('=');
      return { name: pair.slice(0, at), value: pair.slice(at + 1), url: APP_URL };
    }),
  );
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error on ${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught exception on ${page.url()}: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`a dialog opened on ${page.url()}: ${dialog.message()}`);
    dialog.dismiss();
  });
  return page;
}

function noProblems(where) {
  if (problems.length > 0) throw new Error(`problems on ${where}:\n  ${problems.join('\n  ')}`);
}

/** A page whose script has started (it reveals the shortcuts button). */
async function ready(page) {
  await page.waitForSelector('[data-open=shortcuts]:not([hidden])', { timeout: 10_000 });
}

/** Presses `keys`, which submit a form: waits for the page it comes back to. */
async function submitting(page, keys) {
  await Promise.all([page.waitForNavigation(), (async () => {
    for (const key of [].concat(keys)) await page.keyboard.press(key);
  })()]);
  await ready(page);
  noProblems(page.url());
}

const text = (page, selector) => page.locator(selector).first().innerText();

async function capture(page, name) {
  await page.waitForLoadState('load');
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    check(background === BACKGROUND[scheme], `${name}: ${scheme} shows background ${background}`);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `leads-${name}-${scheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  noProblems(name);
  console.log(`ok screenshot ${name}: ${page.url()}`);
}

/** Everything the walk did, as the thread's page shows it. */
async function allThere(page, when) {
  check((await text(page, '.pending-reply')).includes('Thanks Lena, Tuesday works.'), `${when}: the reply waits`);
  check(await page.locator('.pending-reply .undo-reply').count() === 1, `${when}: the reply has Undo`);
  check((await page.locator('.note .note-body').first().innerHTML()).includes('<strong>pilot</strong>'), `${when}: the note, rendered`);
  const call = await text(page, '.call');
  check(call.includes('Connected') && call.includes('5 min'), `${when}: the call: ${call}`);
  const stage = await text(page, '.lead-stage');
  check(stage.includes('Meeting booked') && stage.includes('set by a person'), `${when}: the stage: ${stage}`);
  check((await text(page, '.lead-tags')).includes(TAG_NAME), `${when}: the tag`);
  check((await text(page, '.lead-value')).includes('1200.00 USD'), `${when}: the value`);
  check((await text(page, '.reminder.waiting')).includes('Waiting'), `${when}: the reminder waits`);
}

async function walk(page) {
  await page.goto(`${APP_URL}/inbox?view=all`);
  await ready(page);
  // The lead's thread is the newest: j puts the cursor on it, o opens it.
  await page.keyboard.press('j');
  await Promise.all([page.waitForURL(new RegExp(`/inbox/t/${TENANT}/${THREAD}`)), page.keyboard.press('o')]);
  await ready(page);
  check(await page.locator('.lead-work').count() === 1, 'the thread shows the lead panel');

  await page.keyboard.press('?');
  check((await text(page, '#shortcuts')).includes("Set the lead's nth stage"), 'the list of keys has the lead keys');
  check((await text(page, '#shortcuts')).includes('Remind me if no reply'), 'the list of keys has m');
  await page.keyboard.press('Escape');

  await page.keyboard.press('r');
  check(await page.evaluate(() => document.activeElement?.id) === 'lead-reply', 'r goes to the reply');
  await page.keyboard.type('Thanks Lena, Tuesday works.');
  await submitting(page, 'Control+Enter');
  console.log('ok: r, a reply, Ctrl+Enter');

  await page.keyboard.press('n');
  await page.keyboard.type('Wants a **pilot** in March');
  await submitting(page, 'Control+Enter');
  console.log('ok: n, a note');

  await page.keyboard.press('c');
  check(await page.evaluate(() => document.activeElement?.id) === 'lead-call', 'c goes to the call');
  await page.keyboard.press('Control+a');
  await page.keyboard.type('5');
  await page.keyboard.press('Tab'); // the outcome: Connected, as it is
  await page.keyboard.press('Tab');
  await page.keyboard.type('Left a voicemail first');
  await submitting(page, 'Control+Enter');
  console.log('ok: c, a call');

  await submitting(page, '2');
  console.log('ok: 2, the second stage');

  await page.keyboard.press('t');
  check(await page.evaluate(() => document.activeElement?.name) === 'tag', 't goes to the tags');
  await page.keyboard.press('Space');
  await submitting(page, 'Control+Enter');
  console.log('ok: t, a tag');

  // m: the reminder's time, tomorrow at this time as the form suggests it.
  await page.keyboard.press('m');
  check(await page.evaluate(() => document.activeElement?.id) === 'thread-remind', 'm goes to the reminder');
  await submitting(page, 'Control+Enter');
  console.log('ok: m, a reminder');

  await page.keyboard.press('v');
  await page.keyboard.press('Control+a');
  await page.keyboard.type('1200');
  await submitting(page, 'Enter');
  console.log('ok: v, a value');

  await allThere(page, 'after the keys');
  await page.reload();
  await ready(page);
  await allThere(page, 'after a reload');
  console.log('ok: all there after a reload');
  // The reply is positive now (its stage says so) and the note was its first touch.
  check((await text(page, '.speed-to-reply')).includes('first touched after'), 'the thread shows its speed to reply');
  await capture(page, 'thread');
}

async function screenshots(page) {
  await page.goto(`${APP_URL}/leads/t/${TENANT}/${encodeURIComponent(LEAD)}`);
  await ready(page);
  await page.keyboard.press('?');
  check(await page.locator('#shortcuts').isVisible(), '? opens the list of keys on the lead page');
  await page.keyboard.press('Escape');
  const events = await page.locator('.timeline > li').count();
  check(events >= 7, `the timeline holds the messages, reply, note, call and changes: ${events}`);
  await capture(page, 'lead-page');
  await page.goto(`${APP_URL}/leads`);
  check(await page.locator('.leads-table tbody tr').count() >= 1, 'the list has the leads');
  await capture(page, 'list');
  await page.goto(`${APP_URL}/speed-to-reply?from=${required('SPEED_FROM')}`);
  const total = await text(page, '#speed-total + .table-scroll tbody tr');
  check(/\b1\s+1\b/.test(total), `the report counts the reply, touched: ${total}`);
  await capture(page, 'speed');
  await page.goto(`${APP_URL}/notifications`);
  check((await text(page, '.notifications')).includes('mentions you in a note'), 'the notifications page says what brings them');
  await capture(page, 'notifications');
}

async function hostile(page) {
  await page.goto(`${APP_URL}/leads/t/${TENANT}/${encodeURIComponent(required('HOSTILE_LEAD'))}`);
  await ready(page);
  await page.waitForTimeout(500);
  const found = await page.evaluate(() => ({
    pwned: window.pwned,
    active: document.querySelectorAll(
      '.note-body :is(script, img, iframe, svg, object), .note-body [onerror], .note-body [onload], .note-body [onclick], .note-body a[href^="javascript"]',
    ).length,
    notes: document.querySelectorAll('.note-body').length,
  }));
  check(found.pwned === undefined && found.active === 0, `a hostile note is live: ${JSON.stringify(found)}`);
  check(found.notes >= 5, `the hostile notes show: ${found.notes}`);
  await capture(page, 'hostile-notes');
  console.log('ok: hostile notes render inert');
}

async function main() {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
  try {
    const page = await session(browser);
    await walk(page);
    await screenshots(page);
    await hostile(page);
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
