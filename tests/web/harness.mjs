// The web tests' harness: `rscope web` as the server, Debian's chromium driven by playwright-core,
// the page's exported functions (viewer/web/web_main.cpp) read as JSON, clicks at the layout
// dump's coordinates with page.mouse, screenshots into the build tree. Every wait is bounded in
// time and tries; teardown() stops what this harness started, also after a failed assertion.
//
//   const h = await Harness.start({ test: 'article' });   // rscope web + chromium
//   const page = await h.open('?trace=traces/article.jsonl&event=21', { until: s => ... });
//   const d = await h.dump(page);          // rscope_layout_dump: the --dump-layout document
//   await h.clickRect(page, d.tutorial.buttons.next);
//   await h.teardown();
//
// Paths come from the environment CTest sets (tests/web/CMakeLists.txt): RSCOPE_BIN (rscope),
// RSCOPE_VIEWER (rscope-viewer), RSCOPE_SITE (build-web/site), RSCOPE_SOURCE_DIR, RSCOPE_OUT
// (screenshots and logs), CHROMIUM (default /usr/bin/chromium).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

// playwright-core comes from tests/web/node_modules (npm ci); without it, say what to run.
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  throw new Error(`playwright-core is not installed (${e.message}): run ` +
                  '`npm ci --no-audit --no-fund` in tests/web (scripts/test.sh does)');
}

const here = path.dirname(fileURLToPath(import.meta.url));

export const env = {
  source: process.env.RSCOPE_SOURCE_DIR || path.resolve(here, '../..'),
  get rscope() { return process.env.RSCOPE_BIN || path.join(this.source, 'build/bin/rscope'); },
  get viewer() {
    return process.env.RSCOPE_VIEWER || path.join(this.source, 'build/bin/rscope-viewer');
  },
  get site() { return process.env.RSCOPE_SITE || path.join(this.source, 'build-web/site'); },
  get out() { return process.env.RSCOPE_OUT || path.join(this.source, 'build/tests/web'); },
  chromium: process.env.CHROMIUM || '/usr/bin/chromium',
};

// Closed network, no GPU, running as root: swiftshader's WebGL 2, no sandbox, nothing that
// phones home (updates, sync, QUIC probes), no throttling of a page that is not in front.
export const kChromiumArgs = [
  '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--disable-quic', '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows',
  '--disable-dev-shm-usage', '--force-device-scale-factor=1',
];

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls `fn` (async; a truthy result ends the wait) every `everyMs` until `timeoutMs`; returns
// the last result (falsy after the timeout). Exceptions count as a falsy try.
export async function poll(fn, { timeoutMs = 10000, everyMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (let tries = 0; tries < Math.ceil(timeoutMs / everyMs) + 1; ++tries) {
    try { last = await fn(); } catch (e) { last = undefined; }
    if (last) return last;
    if (Date.now() >= deadline) break;
    await sleep(everyMs);
  }
  return last;
}

// The children still running: killed when this process exits without a teardown (an uncaught
// error, CTest's SIGTERM at its timeout), so no server or `rscope web` outlives the test.
const running = new Set();
function killRunning() {
  for (const c of running) c.signal('SIGKILL');
}
process.on('exit', killRunning);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { killRunning(); process.exit(128 + (sig === 'SIGINT' ? 2 : 15)); });
}

// A child process of the test: its output kept (and written to a log file in RSCOPE_OUT);
// stop() sends SIGTERM, then SIGKILL after 3 s, and waits for the exit.
export class Child {
  constructor(name, cmd, args, options = {}) {
    this.name = name;
    this.output = '';
    this.exited = null;
    this.proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    this.group = !!options.detached;
    const keep = (chunk) => { this.output += chunk.toString(); };
    this.proc.stdout.on('data', keep);
    this.proc.stderr.on('data', keep);
    running.add(this);
    this.done = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        running.delete(this);
        this.exited = { code, signal };
        resolve(this.exited);
      });
      this.proc.on('error', (e) => {
        running.delete(this);
        this.output += `spawn ${cmd}: ${e.message}\n`;
        this.exited = { code: -1 };
        resolve(this.exited);
      });
    });
  }

  // Waits for a line of output matching `re`; returns the match (null after the timeout or an exit).
  async waitFor(re, timeoutMs = 10000) {
    return poll(async () => {
      const m = this.output.match(re);
      if (m) return m;
      if (this.exited) throw new Error('exited');
      return null;
    }, { timeoutMs, everyMs: 50 }) || null;
  }

  // A detached child leads a process group of its own (a server and the processes it forks):
  // SIGTERM goes to the leader (a server's master stops its own children), SIGKILL to the group.
  signal(sig) {
    try {
      if (this.group && sig === 'SIGKILL') process.kill(-this.proc.pid, sig);
      else this.proc.kill(sig);
    } catch (e) { /* already gone */ }
  }

  async stop() {
    if (!this.exited) {
      this.signal('SIGTERM');
      const t = setTimeout(() => { if (!this.exited) this.signal('SIGKILL'); }, 3000);
      await this.done;
      clearTimeout(t);
    }
    return this.exited;
  }
}

export function siteOrFail() {
  const index = path.join(env.site, 'index.html');
  const wasm = path.join(env.site, 'rscope-viewer.wasm');
  if (!fs.existsSync(index) || !fs.existsSync(wasm)) {
    throw new Error(`no web build at ${env.site} (index.html, rscope-viewer.wasm): ` +
                    'run `bash scripts/build-web.sh` first');
  }
  for (const bin of [env.rscope]) {
    if (!fs.existsSync(bin)) throw new Error(`${bin} missing: run scripts/build.sh`);
  }
  return env.site;
}

// `rscope web --port 0 --root SITE [--trace T]`, started in `cwd` (the source tree, so that
// /traces/ and /tutorials/ are this tree's); resolves once its `serving` line names the port.
export async function startWeb({ trace = null, extra = [] } = {}) {
  const args = ['web', '--host', '127.0.0.1', '--port', '0', '--root', siteOrFail()];
  if (trace) args.push('--trace', trace);
  args.push(...extra);
  const web = new Child('rscope web', env.rscope, args, { cwd: env.source });
  const m = await web.waitFor(/rscope web: serving (http:\/\/127\.0\.0\.1:(\d+)\/)/, 10000);
  if (!m) {
    await web.stop();
    throw new Error(`rscope web did not print its address:\n${web.output}`);
  }
  web.url = m[1];
  web.port = Number(m[2]);
  return web;
}

export class Harness {
  // Starts `rscope web` (with `trace`: its --trace) and chromium. `test` names the output folder.
  static async start({ test, trace = null, webArgs = [] } = {}) {
    const h = new Harness(test);
    try {
      h.web = await startWeb({ trace, extra: webArgs });
      h.browser = await chromium.launch({
        executablePath: env.chromium, headless: true, args: kChromiumArgs, timeout: 30000,
      });
    } catch (e) {
      await h.teardown();
      throw e;
    }
    return h;
  }

  constructor(test) {
    this.test = test || 'web';
    this.outDir = path.join(env.out, this.test);
    fs.mkdirSync(this.outDir, { recursive: true });
    this.children = [];
    this.pages = [];
    this.console = [];  // the pages' console lines, for assertion messages
    this.stopMs = {};   // how long each child took to stop (teardown)
  }

  get url() { return this.web.url; }

  // A child process this test started (a server, a client): stopped by teardown().
  spawn(name, cmd, args, options) {
    const c = new Child(name, cmd, args, options);
    this.children.push(c);
    return c;
  }

  // Opens `query` ("?trace=...") at a viewport; waits until main ran and `until(state)` holds
  // (default: some events in). Throws with the console's lines when it does not come.
  async open(query, { width = 1280, height = 800, until = (s) => s.events > 0 || s.cursor_event >= 0,
                      timeoutMs = 30000 } = {}) {
    const context = await this.browser.newContext({ viewport: { width, height },
                                                    deviceScaleFactor: 1 });
    const page = await context.newPage();
    this.pages.push(page);
    page.on('console', (m) => this.console.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => this.console.push(`[pageerror] ${e.message}`));
    await page.goto(this.url + query, { waitUntil: 'load', timeout: 20000 });
    const ran = await poll(() => page.evaluate(() => !!(window.Module && window.Module.calledRun)),
                           { timeoutMs });
    if (!ran) throw new Error(`the viewer's main did not run on ${query}:\n${this.log()}`);
    const s = await this.waitState(page, until, timeoutMs);
    if (!s) {
      throw new Error(`${query}: the viewer did not reach the expected state; last state ` +
                      `${JSON.stringify(this.lastState)}\n${this.log()}`);
    }
    return page;
  }

  // rscope_state, parsed (the --dump-state-on-exit document plus what the page adds).
  async state(page) {
    const s = JSON.parse(await page.evaluate(() => Module.ccall('rscope_state', 'string', [], [])));
    this.lastState = s;
    return s;
  }

  // rscope_layout_dump, parsed: the document of the last frame drawn.
  async dump(page) {
    const d = JSON.parse(await page.evaluate(
      () => Module.ccall('rscope_layout_dump', 'string', [], [])));
    this.lastDump = d;
    return d;
  }

  async momentQuery(page) {
    return page.evaluate(() => Module.ccall('rscope_moment_query', 'string', [], []));
  }

  async waitState(page, until, timeoutMs = 10000) {
    return poll(async () => { const s = await this.state(page); return until(s) ? s : null; },
                { timeoutMs });
  }

  // The newest dump that satisfies `until` (null after the timeout; lastDump keeps the last).
  async waitDump(page, until, timeoutMs = 10000) {
    return poll(async () => { const d = await this.dump(page); return until(d) ? d : null; },
                { timeoutMs });
  }

  // A dump drawn after this call: its frame is past the current one (the effect of input given
  // before the call shows in it).
  async nextDump(page, timeoutMs = 5000) {
    const now = (await this.dump(page)).frame;
    return this.waitDump(page, (d) => d.frame > now + 1, timeoutMs);
  }

  // A real click with the page's mouse at the centre of a rect ([x, y, w, h] or {x, y, w, h}):
  // the pointer moves there first and the viewer draws a frame with it there (ImGui's hover),
  // then the button goes down and up, with a frame in between (a press lasting one frame).
  async clickRect(page, rect) {
    const r = Array.isArray(rect) ? { x: rect[0], y: rect[1], w: rect[2], h: rect[3] } : rect;
    if (!r || !(r.w > 0) || !(r.h > 0)) throw new Error(`no rect to click: ${JSON.stringify(rect)}`);
    const x = r.x + r.w / 2;
    const y = r.y + r.h / 2;
    await page.mouse.move(x, y, { steps: 2 });
    await this.nextDump(page);
    await page.mouse.down();
    await this.nextDump(page);
    await page.mouse.up();
    return { x, y };
  }

  // Saves `name`.png in the test's output folder; returns the decoded image (decodePng).
  async screenshot(page, name) {
    const file = path.join(this.outDir, `${name}.png`);
    const png = await page.screenshot({ path: file });
    return decodePng(png);
  }

  writeJson(name, value) {
    const file = path.join(this.outDir, `${name}.json`);
    fs.writeFileSync(file, JSON.stringify(value, null, 1));
    return file;
  }

  log() {
    const lines = this.console.slice(-40).join('\n');
    const web = this.web ? this.web.output.split('\n').slice(-20).join('\n') : '';
    const kids = this.children.map((c) => `--- ${c.name}:\n${c.output.slice(-3000)}`).join('\n');
    return `--- page console:\n${lines}\n--- rscope web:\n${web}\n${kids}`;
  }

  // Stops everything this harness started: pages, chromium, children, rscope web. Safe to call
  // twice and after a partial start. Returns the exits of the children and of rscope web.
  async teardown() {
    const t0 = Date.now();
    for (const p of this.pages) await p.context().close().catch(() => {});
    this.pages = [];
    if (this.browser) await this.browser.close().catch(() => {});
    this.browser = null;
    const exits = {};
    for (const c of this.children.reverse()) {
      const t0 = Date.now();
      exits[c.name] = await c.stop();
      this.stopMs[c.name] = Date.now() - t0;
    }
    this.children = [];
    if (this.web) {
      const t0 = Date.now();
      exits['rscope web'] = await this.web.stop();
      this.stopMs['rscope web'] = Date.now() - t0;
    }
    this.web = null;
    this.stopMs.total = Date.now() - t0;
    fs.appendFileSync(path.join(this.outDir, 'log.txt'),
                      `${this.log()}\n--- teardown ms: ${JSON.stringify(this.stopMs)}\n`);
    return exits;
  }
}

// Finders over a dump (the desktop tests' real_viewer.h finders); widgets are d.widgets[name].
export const byId = (list, id) => (list || []).find((x) => x.id === id) || null;
export const picture = (d) => (d.pictures && d.pictures[0]) || null;

// A PNG (page.screenshot's buffer) as {width, height, rgb(x, y)}: 8-bit RGB or RGBA, not
// interlaced, which is what chromium writes. Enough to read what a person sees at a point.
export function decodePng(buf) {
  let pos = 8;
  let width = 0, height = 0, colorType = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('ascii', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0) throw new Error('PNG: only 8-bit, not interlaced');
      colorType = data[9];
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    pos += 12 + len;
  }
  const bpp = colorType === 6 ? 4 : colorType === 2 ? 3 : 0;
  if (!bpp) throw new Error(`PNG: colour type ${colorType} not read here`);
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const px = Buffer.alloc(height * stride);
  for (let y = 0; y < height; ++y) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; ++i) {
      const a = i >= bpp ? px[y * stride + i - bpp] : 0;
      const b = y > 0 ? px[(y - 1) * stride + i] : 0;
      const c = i >= bpp && y > 0 ? px[(y - 1) * stride + i - bpp] : 0;
      let v = line[i];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      px[y * stride + i] = v & 0xff;
    }
  }
  const rgb = (x, y) => {
    const o = Math.round(y) * stride + Math.round(x) * bpp;
    return [px[o], px[o + 1], px[o + 2]];
  };
  return { width, height, rgb };
}

// The most frequent colour inside a rect ([x, y, w, h]) shrunk by `inset` pixels: a box's fill,
// not its border or its text (the desktop tests' dominantColor).
export function dominantColor(img, rect, inset = 3) {
  const [x, y, w, hgt] = rect;
  const counts = new Map();
  for (let j = Math.ceil(y + inset); j < y + hgt - inset && j < img.height; ++j) {
    for (let i = Math.ceil(x + inset); i < x + w - inset && i < img.width; ++i) {
      const key = img.rgb(i, j).join(',');
      counts.set(key, (counts.get(key) || 0) + 1);
    }
  }
  let best = null, n = -1;
  for (const [k, c] of counts) if (c > n) { best = k; n = c; }
  return best ? best.split(',').map(Number) : null;
}
