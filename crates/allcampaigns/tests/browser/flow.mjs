// A new user's first session in headless Chromium, driven by Playwright; run by
// tests/it/browser.rs, which starts the app, a real SMTP server and the Instantly simulator
// and passes their whereabouts in the environment:
//
//   APP_URL         the app's public URL (forms are refused from any other origin)
//   USER_EMAIL      an account that has never signed in
//   MAILDIR         the Maildir the SMTP server delivers into
//   SIM_API_KEY     an API key of a simulated Instantly workspace
//   SCREENSHOT_DIR  where the screenshots go (created if missing)
//   CHROMIUM_PATH   the browser to drive (default /usr/bin/chromium); Playwright downloads none
//
// The person asks for a sign-in link, reads it from the mailbox, confirms (landing on the
// inbox), creates a client, connects Instantly, waits for the Unibox messages to sync, sees
// them in the inbox and invites a member. Every page
// is screenshotted full-page as NN-page-light.png and NN-page-dark.png (the device's colour
// scheme, which a new user's "system" theme follows), and every page must load without a
// console error, an uncaught exception or a Content-Security-Policy violation.

import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';

const APP_URL = required('APP_URL').replace(/\/$/, '');
const USER_EMAIL = required('USER_EMAIL');
const MAILDIR = required('MAILDIR');
const SIM_API_KEY = required('SIM_API_KEY');
const SCREENSHOT_DIR = required('SCREENSHOT_DIR');
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const INVITEE = 'ben.operator@example.com';
const MAIL_DEADLINE_MS = 15_000;
const SYNC_DEADLINE_MS = 60_000;
/// `body` backgrounds of the two palettes in app.css.
const BACKGROUND = { light: 'rgb(247, 247, 248)', dark: 'rgb(21, 22, 26)' };

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set; tests/it/browser.rs runs this script`);
  }
  return value;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

/** Console errors, uncaught exceptions and CSP violations seen since the last check. */
const problems = [];

function watch(page) {
  page.on('console', (message) => {
    if (message.type() === 'error') {
      const source = message.location().url;
      problems.push(`console error on ${page.url()}: ${message.text()}${source ? ` (${source})` : ''}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`uncaught exception on ${page.url()}: ${error}`));
  page.on('response', (response) => {
    if (response.status() >= 500) {
      problems.push(`${response.status()} from ${response.url()}`);
    }
  });
}

let shots = 0;

/** Checks the page is clean, then screenshots it in the light and the dark colour scheme. */
async function capture(page, name) {
  await page.waitForLoadState('load');
  shots += 1;
  const prefix = String(shots).padStart(2, '0');
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    check(
      background === BACKGROUND[scheme],
      `${name}: the ${scheme} scheme shows background ${background}, not ${BACKGROUND[scheme]}`,
    );
    const file = path.join(SCREENSHOT_DIR, `${prefix}-${name}-${scheme}.png`);
    await page.screenshot({ path: file, fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  noProblems(name);
  console.log(`ok ${prefix} ${name}: ${page.url()}`);
}

function noProblems(where) {
  if (problems.length > 0) {
    throw new Error(`problems on ${where}:\n  ${problems.join('\n  ')}`);
  }
}

// ---- Reading the mailbox -------------------------------------------------------------------

/** The sign-in link of the first message in the Maildir that has one, waiting for it. */
async function signInLink() {
  const fresh = path.join(MAILDIR, 'new');
  const deadline = Date.now() + MAIL_DEADLINE_MS;
  while (Date.now() < deadline) {
    const files = await readdir(fresh).catch(() => []);
    for (const file of files.sort()) {
      const raw = await readFile(path.join(fresh, file), 'latin1');
      const text = plainText(raw) ?? '';
      const link = text.match(/https?:\/\/\S+\/login\/confirm\?token=[^\s<>"]+/);
      if (link) {
        return link[0];
      }
    }
    await sleep(100);
  }
  throw new Error(`no sign-in link reached ${fresh} within ${MAIL_DEADLINE_MS / 1000} s`);
}

/** The text/plain part of a raw MIME message (read as latin1 bytes), decoded; null if none. */
function plainText(raw) {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
  }
  const type = headers['content-type'] ?? 'text/plain';
  if (/^multipart\//i.test(type)) {
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (!boundary) {
      return null;
    }
    for (const part of body.split(`--${boundary}`).slice(1)) {
      if (part.startsWith('--')) {
        break;
      }
      const text = plainText(part.replace(/^\r?\n/, ''));
      if (text !== null) {
        return text;
      }
    }
    return null;
  }
  if (!/^text\/plain/i.test(type)) {
    return null;
  }
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  let bytes;
  if (encoding === 'base64') {
    bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  } else if (encoding === 'quoted-printable') {
    const unfolded = body.replace(/=\r?\n/g, '');
    bytes = Buffer.from(
      unfolded.replace(/=([0-9A-Fa-f]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16))),
      'latin1',
    );
  } else {
    bytes = Buffer.from(body, 'latin1');
  }
  return bytes.toString('utf8');
}

// ---- The flow ------------------------------------------------------------------------------

/** Reloads the Instantly link page until the Unibox messages row is complete with messages stored. */
async function waitForUniboxSync(page) {
  const row = page.locator('table.sync tbody tr', {
    has: page.locator('th', { hasText: 'Unibox messages' }),
  });
  const deadline = Date.now() + SYNC_DEADLINE_MS;
  let seen = 'no sync table yet';
  while (Date.now() < deadline) {
    if ((await row.count()) === 1) {
      const cells = await row.locator('td').allInnerTexts();
      const [stored, , progress] = cells.map((cell) => cell.trim());
      seen = `stored ${stored}, progress ${progress}`;
      if (progress === 'complete' && /^[1-9][0-9,]*$/.test(stored)) {
        console.log(`   Unibox messages: ${seen}`);
        return;
      }
    }
    await sleep(1_000);
    await page.reload();
  }
  throw new Error(`Unibox messages did not finish syncing within 60 s (last seen: ${seen})`);
}

/**
 * ML-11: a browser that never asked for the link (another person's, say) is shown whose
 * account it opens, and opening it signs nobody in.
 */
async function strangerSeesWhoseLink(page, link) {
  const context = await page.context().browser().newContext({ colorScheme: 'light' });
  try {
    const stranger = await context.newPage();
    watch(stranger);
    await stranger.goto(link);
    await stranger.getByText(`This link signs in as ${USER_EMAIL}.`).waitFor();
    await stranger.getByRole('button', { name: 'Sign in' }).waitFor();
    const cookies = await context.cookies();
    check(!cookies.some((c) => c.name.endsWith('ac_session')), 'opening a link signs nobody in');
    noProblems('the confirm page in a browser that did not ask for the link');
    console.log('ok a stranger is shown whose link it is');
  } finally {
    await context.close();
  }
}

async function flow(page) {
  await page.goto(`${APP_URL}/login`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await capture(page, 'login');

  await page.getByLabel('Email address').fill(USER_EMAIL);
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await page.getByRole('heading', { name: 'Check your email' }).waitFor();
  await capture(page, 'login-sent');

  const link = await signInLink();
  check(link.startsWith(`${APP_URL}/login/confirm?token=`), `the mailed link ${link} leads elsewhere`);
  await strangerSeesWhoseLink(page, link);
  await page.goto(link);
  await page.getByRole('heading', { name: 'Sign in to All Campaigns' }).waitFor();
  await capture(page, 'login-confirm');

  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${APP_URL}/inbox`);
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();
  check(
    (await page.getByText('You are in no client yet').count()) === 1,
    'a new user lands on the inbox, which says how to start',
  );
  await capture(page, 'inbox-empty');

  await page.goto(`${APP_URL}/clients`);
  await page.getByRole('heading', { name: 'Your clients' }).waitFor();
  check(
    (await page.getByText('You are not a member of any client yet').count()) === 1,
    'a new user is told they have no clients yet',
  );
  await capture(page, 'home');

  await page.getByRole('link', { name: 'New client' }).first().click();
  await page.getByRole('heading', { name: 'New client' }).waitFor();
  await page.getByLabel('Name', { exact: true }).fill('Acme Outreach');
  await page.getByLabel('Client name').fill('Acme Ltd');
  await page.getByLabel('Website').fill('https://acme.example');
  await capture(page, 'new-client');

  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(/\/t\/[^/]+$/);
  await page.getByRole('heading', { name: 'Acme Outreach' }).waitFor();
  const client = page.url();
  await capture(page, 'client');

  await page.getByRole('link', { name: 'Instantly link' }).click();
  await page.getByText('Not connected yet.').waitFor();
  await capture(page, 'connection-empty');

  await page.getByLabel('Instantly API key').fill(SIM_API_KEY);
  await page.getByRole('button', { name: 'Check and save' }).click();
  await page.locator('dd.status-connected').waitFor();
  const shown = await page.locator('.facts').innerText();
  check(shown.includes(SIM_API_KEY.slice(-4)), 'the page shows the key\'s last four characters');
  check(!shown.includes(SIM_API_KEY.slice(0, -4)), 'the page never shows the whole key');
  await waitForUniboxSync(page);
  await capture(page, 'connection-synced');

  await page.goto(`${APP_URL}/inbox?view=all`);
  await page.locator('ol.threads > li').first().waitFor();
  await capture(page, 'inbox');
  await page.locator('ol.threads a.thread-link').first().click();
  await page.locator('article.message').first().waitFor();
  await capture(page, 'thread');

  await page.goto(client);
  await page.getByRole('link', { name: 'Members' }).click();
  await page.getByRole('heading', { name: 'Members of Acme Outreach' }).waitFor();
  await page.getByLabel('Email address').fill(INVITEE);
  await page.getByLabel('Role', { exact: true }).selectOption('operator');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  const invitation = page.locator('li', { hasText: INVITEE });
  await invitation.waitFor();
  check((await invitation.innerText()).includes('operator'), 'the invitation shows its role');
  await capture(page, 'members');

  await page.getByRole('link', { name: 'Profile' }).click();
  await page.getByRole('heading', { name: 'Your profile' }).waitFor();
  await capture(page, 'profile');

  // A chosen theme wins over the device's colour scheme.
  await page.getByLabel('Theme').selectOption('dark');
  await page.getByRole('button', { name: 'Save' }).first().click();
  await page.getByText('Saved.').waitFor();
  const chosen = await page.evaluate(() => ({
    theme: document.documentElement.dataset.theme,
    background: getComputedStyle(document.body).backgroundColor,
  }));
  check(
    chosen.theme === 'dark' && chosen.background === BACKGROUND.dark,
    `after choosing dark on a light device: ${JSON.stringify(chosen)}`,
  );
  shots += 1;
  const name = `${String(shots).padStart(2, '0')}-profile-dark-chosen-on-light-device.png`;
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, name), fullPage: true });
  noProblems('profile with the dark theme');
  console.log(`ok ${name}`);
}

async function main() {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Tests run as root, where Chromium's sandbox cannot start.
    args: ['--no-sandbox'],
  });
  const context = await browser.newContext({
    colorScheme: 'light',
    viewport: { width: 1100, height: 800 },
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(15_000);
  // Reported however the page handles them; Chromium also logs each as a console error.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
    });
  });
  const page = await context.newPage();
  watch(page);
  try {
    await flow(page);
  } catch (error) {
    const file = path.join(SCREENSHOT_DIR, 'failure.png');
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    console.error(`failed on ${page.url()} (screenshot: ${file})`);
    throw error;
  } finally {
    await browser.close();
  }
  console.log(`screenshots: ${SCREENSHOT_DIR}`);
}

main().catch((error) => {
  console.error(error?.stack ?? String(error));
  process.exit(1);
});
