// The web viewer's figures (docs/benchmarks.md, "Web viewer"): the size of what a browser
// downloads (raw and gzip), the time to the first frame, and on a large trace the load time and
// the frames while playing, in headless Chromium; the desktop viewer's --bench on the same file
// beside them. A benchmark program: it prints figures, it asserts nothing.
//
//   node tests/bench/web_bench.mjs [TRACE.jsonl]   (default /tmp/rscope-1m.jsonl:
//                                                   scripts/make-big-trace.sh makes it)
// Needs: build/bin/rscope, build/bin/rscope-viewer, build-web/site (scripts/build-web.sh), and
// playwright-core in tests/web/node_modules (npm ci there); Debian's /usr/bin/chromium.
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(process.env.RSCOPE_PLAYWRIGHT_DIR ||
                                        path.join(repo, 'tests/web'), 'package.json'));
const { chromium } = require('playwright-core');

const site = path.join(repo, 'build-web/site');
const bigTrace = process.argv[2] || '/tmp/rscope-1m.jsonl';
const width = 1280, height = 800;

function median(xs) {
  const v = [...xs].sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)];
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// rscope web on an ephemeral loopback port, serving a copy of the site with the big trace in it.
async function startWeb(root) {
  const web = spawn(path.join(repo, 'build/bin/rscope'), ['web', '--port', '0', '--root', root],
                    { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('rscope web did not start: ' + out)), 10000);
    web.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/rscope web: serving (http:\/\/\S+?)\/? /);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    web.on('exit', (code) => reject(new Error('rscope web exited ' + code + ': ' + out)));
  });
  return { web, url };
}

async function call(page, fn) {
  return JSON.parse(await page.evaluate((f) => Module.ccall(f, 'string', [], []), fn));
}

// Polls the page's state until `done(state)`, up to `ms`; returns the state and the time.
async function waitState(page, done, ms) {
  const start = Date.now();
  for (;;) {
    const ready = await page.evaluate(() => typeof Module !== 'undefined' && Module.calledRun === true &&
                                      rscopePage.firstFrameMs !== null);
    if (ready) {
      const s = await call(page, 'rscope_state');
      if (done(s)) return s;
    }
    if (Date.now() - start > ms) throw new Error('timed out waiting for the viewer');
    await sleep(50);
  }
}

function sizes() {
  const rows = [];
  let raw = 0, gz = 0;
  for (const f of ['index.html', 'rscope-viewer.js', 'rscope-viewer.wasm', 'rscope-viewer.data']) {
    const data = fs.readFileSync(path.join(site, f));
    const g = zlib.gzipSync(data, { level: 9 }).length;
    rows.push([f, data.length, g]);
    raw += data.length; gz += g;
  }
  rows.push(['total', raw, gz]);
  return rows;
}

function desktopBench(trace) {
  // The desktop viewer's own bench (vsync off) under Xvfb, on the same file.
  const out = execFileSync('xvfb-run', ['-a', '-s', `-screen 0 ${width}x${height}x24`,
    path.join(repo, 'build/bin/rscope-viewer'), '--bench', '--replay', trace, '--frames', '300'],
    { encoding: 'utf8', maxBuffer: 1 << 24 });
  return out;
}

async function main() {
  if (!fs.existsSync(path.join(site, 'rscope-viewer.wasm')))
    throw new Error(site + ' has no build: run scripts/build-web.sh');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rscope-web-bench-'));
  // Copies, not links: rscope web refuses a link that leaves its folder. The big trace is hard
  // linked when it is on the same file system (no 260 MB copy).
  for (const f of fs.readdirSync(site)) fs.copyFileSync(path.join(site, f), path.join(root, f));
  const haveBig = fs.existsSync(bigTrace);
  if (haveBig) {
    try { fs.linkSync(bigTrace, path.join(root, 'big.jsonl')); }
    catch { fs.copyFileSync(bigTrace, path.join(root, 'big.jsonl')); }
  }
  const { web, url } = await startWeb(root);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--no-first-run', '--disable-quic'] });
  try {
    console.log('web viewer benchmark  (node tests/bench/web_bench.mjs ' + bigTrace + ')');
    console.log('chromium ' + browser.version() + ', headless, SwiftShader WebGL 2, ' +
                `${width}x${height}, ${os.cpus().length} cores, ${new Date().toISOString()}`);
    console.log('\n== download size');
    for (const [f, raw, gz] of sizes())
      console.log(`  ${f.padEnd(20)} ${(raw / 1024).toFixed(0).padStart(7)} KiB raw  ` +
                  `${(gz / 1024).toFixed(0).padStart(7)} KiB gzip`);

    console.log('\n== time to first frame (navigation start -> first frame drawn; cold ' +
                'page, loopback), 5 runs');
    const first = [], ready = [];
    for (let i = 0; i < 5; ++i) {
      const context = await browser.newContext({ viewport: { width, height } });
      const page = await context.newPage();
      await page.goto(url + '/?trace=traces/article.jsonl&event=21&picture=sequence');
      await waitState(page, (s) => s.events === 36 && !s.loading, 30000);
      first.push(await page.evaluate(() => rscopePage.firstFrameMs));
      ready.push(await page.evaluate(() => performance.now()));
      await context.close();
    }
    console.log(`  first frame: median ${median(first).toFixed(0)} ms  (runs: ${first.map((x) => x.toFixed(0)).join(', ')})`);
    console.log(`  article trace shown: median ${median(ready).toFixed(0)} ms`);

    {
      // The baseline: the same frame over the 36-event article trace, playing at a teaching pace.
      const context = await browser.newContext({ viewport: { width, height } });
      const page = await context.newPage();
      await page.goto(url + '/?trace=traces/article.jsonl&event=1&pace=50');
      await waitState(page, (s) => s.events === 36 && !s.loading, 30000);
      const dump = await call(page, 'rscope_layout_dump');
      const [x, y, w, h] = dump.widgets.play;
      await page.mouse.click(x + w / 2, y + h / 2);
      await sleep(300);
      await call(page, 'rscope_frame_stats');
      await sleep(1500);
      const f = await call(page, 'rscope_frame_stats');
      console.log(`  article trace playing (pace 50 ms): ${(f.frames / f.seconds).toFixed(1)} fps, ` +
                  `work per frame avg ${f.avg_ms.toFixed(2)} ms, p99 ${f.p99_ms.toFixed(2)} ms`);
      await context.close();
    }

    if (!haveBig) {
      console.log('\n(no ' + bigTrace + ': scripts/make-big-trace.sh makes it; large-trace figures skipped)');
      return;
    }
    console.log('\n== ' + bigTrace + ' (' + (fs.statSync(bigTrace).size / 1e6).toFixed(0) + ' MB)');
    const context = await browser.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    await page.goto(url + '/?trace=big.jsonl&speed=1');
    const loaded = await waitState(page, (s) => s.events > 0 && !s.loading, 600000);
    const totalMs = await page.evaluate(() => performance.now());
    const fetch = await page.evaluate(() => {
      const r = performance.getEntriesByType('resource').find((e) => e.name.endsWith('big.jsonl'));
      return r ? { start: r.startTime, end: r.responseEnd } : null;
    });
    console.log(`  events: ${loaded.events}`);
    if (fetch)
      console.log(`  fetch over loopback: ${((fetch.end - fetch.start) / 1000).toFixed(2)} s`);
    console.log(`  navigation -> trace loaded and shown: ${(totalMs / 1000).toFixed(2)} s` +
                (fetch ? `  (load after the fetch: ${((totalMs - fetch.end) / 1000).toFixed(2)} s)` : ''));
    const memory = await page.evaluate(() => Module.HEAP8 ? Module.HEAP8.length : 0);
    if (memory) console.log(`  wasm memory: ${(memory / 1048576).toFixed(0)} MiB`);

    // Play: the timeline's Play button, clicked where the layout dump says it is.
    // From the first event, as the desktop bench plays (the cursor opens at the end).
    // The recording spans ~2.8 s of server time: 1x is measured over 2 s so it is still playing
    // (the desktop bench starts over at the end; the page stops there).
    for (const [label, query, ms] of [['real time 0.1x', 'speed=0.1', 5000],
                                      ['real time 1x', 'speed=1', 2000],
                                      ['teaching pace 1 ms/event', 'pace=1', 5000]]) {
      await page.goto(url + '/?trace=big.jsonl&event=1&' + query);
      await waitState(page, (s) => s.events === loaded.events && !s.loading, 600000);
      const dump = await call(page, 'rscope_layout_dump');
      const [x, y, w, h] = dump.widgets.play;
      await page.mouse.click(x + w / 2, y + h / 2);
      await sleep(300);
      await call(page, 'rscope_frame_stats');  // reset
      await sleep(ms);
      const f = await call(page, 'rscope_frame_stats');
      const s = await call(page, 'rscope_state');
      console.log(`  ${label.padEnd(26)} ${(f.frames / f.seconds).toFixed(1)} fps, work per frame ` +
                  `avg ${f.avg_ms.toFixed(2)} ms, p99 ${f.p99_ms.toFixed(2)} ms ` +
                  `(playing: ${s.playing}, cursor ${s.cursor_event})`);
    }
    await context.close();

    console.log('\n== desktop rscope-viewer --bench on the same file (Xvfb, Mesa llvmpipe, vsync off)');
    console.log(desktopBench(bigTrace).split('\n').map((l) => '  ' + l).join('\n'));
  } finally {
    await browser.close();
    web.kill('SIGTERM');
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error('web_bench: ' + e.message); process.exit(1); });
