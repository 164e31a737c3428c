// The sample's chat page in a real browser (ChatPageBrowserTests): Debian's headless Chromium driven
// by Playwright (playwright-core, no browser download), two pages and one nc-like line client in one
// room. Each step waits until the previous message reached everyone, so the order each member sees
// is defined. Prints every member's view for the test to check, one "<member>> <line>" per line.
//
//   node chat-page.mjs http://127.0.0.1:PORT/chat.html CHAT_PORT SCREENSHOT.png [CHROMIUM]
import net from 'node:net';
import { chromium } from 'playwright-core';

const [pageUrl, chatPort, screenshot, executablePath = '/usr/bin/chromium'] = process.argv.slice(2);
const WAIT_MS = 30_000; // per condition: a loaded two-core CI machine starts Chromium slowly
const out = (line) => process.stdout.write(line + '\n');

/** One member in a browser page; the WebSocket handshake's extensions are read over CDP. */
async function openPage(browser, name) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 560 } });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const extensions = new Promise((resolve) => cdp.on('Network.webSocketHandshakeResponseReceived',
      (event) => resolve(header(event.response.headers, 'sec-websocket-extensions') ?? 'none')));
  await page.goto(pageUrl);
  await page.locator('#status', { hasText: /^connected$/ }).waitFor();
  out(`${name}> [extensions] ${await extensions}`);
  return {
    name, context, page,
    async logIn() {
      await page.fill('#name', name);
      await page.press('#name', 'Enter');
      await this.awaitLine(`* Welcome, ${name}!`);
    },
    async say(text) {
      await page.fill('#text', text);
      await page.press('#text', 'Enter');
    },
    awaitLine(start) {
      return page.waitForFunction((text) => [...document.querySelectorAll('#log div')]
        .some((div) => div.textContent.startsWith(text)), start);
    },
    awaitMembers(names) {
      return page.waitForFunction((expected) => [...document.querySelectorAll('#members li')]
        .map((li) => li.textContent).join(',') === expected, [...names].sort().join(','));
    },
    lines() {
      return page.$$eval('#log div', (divs) => divs.map((div) => div.textContent));
    },
  };
}

function header(headers, name) {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key && headers[key];
}

/** The nc member: a raw TCP line client on the chat listener. */
function openLineClient(port) {
  const socket = net.connect(Number(port), '127.0.0.1');
  const lines = [];
  const waiters = [];
  let partial = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop();
    for (const line of parts) {
      lines.push(line.replace(/\r$/, ''));
    }
    waiters.splice(0).forEach((check) => check());
  });
  return {
    lines,
    send: (line) => socket.write(line + '\n'),
    close: () => socket.end(),
    awaitLine(start) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`nc: no line starting '${start}' in ${WAIT_MS} ms:\n`
            + lines.join('\n'))), WAIT_MS);
        const check = () => {
          if (lines.some((line) => line.startsWith(start))) {
            clearTimeout(timer);
            resolve();
          }
          else {
            waiters.push(check);
          }
        };
        check();
      });
    },
  };
}

const browser = await chromium.launch({ executablePath, headless: true, timeout: 60_000,
  args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'] });
let carol;
try {
  const alice = await openPage(browser, 'alice');
  const bob = await openPage(browser, 'bob');
  await alice.logIn();
  await bob.logIn();
  await alice.awaitLine('* bob joined the room');

  carol = openLineClient(chatPort);
  carol.send('NAME: carol');
  await carol.awaitLine('* Welcome, carol!');
  await Promise.all([alice.awaitLine('* carol joined the room'), bob.awaitLine('* carol joined the room')]);
  await Promise.all([alice.awaitMembers(['alice', 'bob', 'carol']), bob.awaitMembers(['alice', 'bob', 'carol'])]);

  await alice.say('one from alice');
  await Promise.all([bob.awaitLine('alice: one from alice'), carol.awaitLine('alice: one from alice')]);
  await bob.say('two from bob');
  await Promise.all([alice.awaitLine('bob: two from bob'), carol.awaitLine('bob: two from bob')]);
  carol.send('three from carol');
  await Promise.all([alice.awaitLine('carol: three from carol'), bob.awaitLine('carol: three from carol')]);
  await alice.say('/msg carol four, privately');
  await carol.awaitLine('alice (private): four, privately');
  carol.send('/msg bob five, privately');
  await bob.awaitLine('carol (private): five, privately');

  await alice.page.screenshot({ path: screenshot });

  const bobLines = await bob.lines(); // before bob's page goes
  await bob.context.close();
  await Promise.all([alice.awaitLine('* bob left the room'), carol.awaitLine('* bob left the room')]);
  await alice.awaitMembers(['alice', 'carol']);
  carol.send('/quit');
  await carol.awaitLine('* Bye, carol!');
  await alice.awaitLine('* carol left the room');
  await alice.awaitMembers(['alice']);
  out(`alice> [members] ${await alice.page.$$eval('#members li', (items) => items.map((li) => li.textContent).join(', '))}`);

  for (const line of await alice.lines()) out(`alice> ${line}`);
  for (const line of bobLines) out(`bob> ${line}`);
  for (const line of carol.lines) out(`carol> ${line}`);
}
finally {
  carol?.close();
  await browser.close();
}
