// HTML-03 and HTML-04 in headless Chromium, driven by Playwright; run by
// tests/it/browser_inbox.rs, which starts the app, seeds a thread whose message is a corpus
// of hostile HTML and passes in the environment:
//
//   APP_URL        the app's public URL
//   COOKIES        a signed-in person's cookies ("name=value; name=value")
//   THREAD_PATH    the thread's page
//   CHROMIUM_PATH  the browser to drive (default /usr/bin/chromium)
//
// The thread opens with the body in <iframe sandbox srcdoc>: no script of the corpus runs (no
// dialog opens, no marker is set), the frame has the right sandbox, and the page makes no
// request but its own (page, stylesheet, script, event stream), none at all from the frame
// (its own resource timing counts what it loaded). After "show images" the frame loads only
// from our image proxy, and the image loads.

import { chromium } from 'playwright-core';

const APP_URL = required('APP_URL').replace(/\/$/, '');
const COOKIES = required('COOKIES');
const THREAD_PATH = required('THREAD_PATH');
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SANDBOX = 'allow-popups allow-popups-to-escape-sandbox';
/** The page's own requests: the thread page (and its script re-reading it or saying who has
 *  it open), its stylesheet and script, and its event stream. */
const own = (url) => url.startsWith(`${APP_URL}/inbox/`)
  || [`${APP_URL}/static/app.css`, `${APP_URL}/static/inbox.js`, `${APP_URL}/events`].includes(url);

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set; tests/it/browser_inbox.rs runs this script`);
  }
  return value;
}

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every resource a frame loaded, as its own resource timing counts them. */
async function frameLoads(frame) {
  return frame.evaluate(() => performance.getEntriesByType('resource').map((entry) => entry.name));
}

async function main() {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
  try {
    const context = await browser.newContext();
    await context.addCookies(
      COOKIES.split('; ').map((pair) => {
        const at = pair.indexOf('=');
        return { name: pair.slice(0, at), value: pair.slice(at + 1), url: APP_URL };
      }),
    );
    const page = await context.newPage();
    const dialogs = [];
    page.on('dialog', async (dialog) => {
      dialogs.push(dialog.message());
      await dialog.dismiss();
    });
    const requests = [];
    page.on('request', (request) => {
      requests.push({ url: request.url(), main: request.frame() === page.mainFrame() });
    });
    const images = [];
    page.on('response', (response) => {
      if (response.url().startsWith(`${APP_URL}/image-proxy?`)) {
        images.push({ status: response.status(), type: response.headers()['content-type'] });
      }
    });

    await page.goto(`${APP_URL}${THREAD_PATH}`);
    await page.waitForLoadState('load');
    await sleep(1000);
    const frames = page.locator('iframe.message-frame');
    check((await frames.count()) >= 1, 'the message is shown in a frame');
    for (const frame of await frames.all()) {
      check((await frame.getAttribute('sandbox')) === SANDBOX, `sandbox is ${await frame.getAttribute('sandbox')}`);
      check((await frame.getAttribute('srcdoc')) !== null, 'the body is given by srcdoc');
      check((await frame.getAttribute('src')) === null, 'the frame loads no address');
    }
    const marked = await page.evaluate(() => window.pwned === undefined && document.title !== 'pwned');
    check(marked, 'a hostile script reached the page');
    for (const child of page.frames().filter((f) => f !== page.mainFrame())) {
      const clean = await child.evaluate(() => window.pwned === undefined).catch(() => true);
      check(clean, 'a hostile script ran in the frame');
    }
    check(dialogs.length === 0, `scripts ran: ${dialogs.join(', ')}`);
    const fromFrames = requests.filter((r) => !r.main);
    check(fromFrames.length === 0, `the frame made requests: ${JSON.stringify(fromFrames)}`);
    for (const child of page.frames().filter((f) => f !== page.mainFrame())) {
      const loaded = await frameLoads(child);
      check(loaded.length === 0, `the frame loaded: ${JSON.stringify(loaded)}`);
    }
    const elsewhere = requests.filter((r) => !r.url.startsWith(APP_URL));
    check(elsewhere.length === 0, `requests left our origin: ${JSON.stringify(elsewhere)}`);
    const other = requests.filter((r) => !own(r.url));
    check(other.length === 0, `requests beside the page before "show images": ${JSON.stringify(other)}`);
    console.log(`ok before "show images": ${requests.length} requests, all the page's own`);

    requests.length = 0;
    await page.getByRole('link', { name: 'Show images' }).click();
    await page.waitForURL(/images=1/);
    await page.waitForLoadState('load');
    const child = page.frames().find((f) => f !== page.mainFrame());
    check(child, 'the frame is there after "show images"');
    await child.waitForFunction(() => {
      const img = document.querySelector('img[alt="logo"]');
      return img && img.complete && img.naturalWidth > 0;
    }, null, { timeout: 10_000 });
    await sleep(500);
    // The page asked for nothing but itself; the frame (whose requests Playwright does not
    // report for a sandboxed srcdoc frame) loaded only from the proxy, counted by the
    // frame's own resource timing.
    const stray = requests.filter((r) => !own(r.url) && !r.url.startsWith(`${APP_URL}/image-proxy?`));
    check(stray.length === 0, `requests beside the page and proxy: ${JSON.stringify(stray)}`);
    const asked = await frameLoads(child);
    check(asked.length >= 1, 'the frame loaded its image');
    const notProxy = asked.filter((url) => !url.startsWith(`${APP_URL}/image-proxy?`));
    check(notProxy.length === 0, `the frame loaded beside the proxy: ${JSON.stringify(notProxy)}`);
    check(images.every((i) => i.status === 200 && i.type === 'image/png'),
      `the proxy answered ${JSON.stringify(images)}`);
    check(dialogs.length === 0, `scripts ran: ${dialogs.join(', ')}`);
    console.log(`ok after "show images": ${asked.length} requests beside the page, all to the proxy`);
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
