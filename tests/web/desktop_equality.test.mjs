// The browser draws what the desktop draws: for the same moment and window size, the web
// viewer's rscope_layout_dump equals the desktop's --dump-layout (xvfb-run, headless) field for
// field: every picture's nodes, edges, tokens and labels, the panels, the event log's and the
// session list's rows, the widgets, the tutorial panel and its buttons, the state. Coordinates
// are compared exactly (same fonts, same ImGui, same layout code: no tolerance to hide a
// difference). On a difference the test prints the first few paths with both values and keeps
// both documents (desktop-NAME.json, web-NAME.json) in its output folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Harness, env } from './harness.mjs';

// Fields left out of the comparison, each about the process rather than the moment:
// - frame: the frame counter. The desktop's headless capture is its 5th frame; the page has drawn
//   as many frames as the browser gave it animation callbacks before we read.
const kExcluded = new Set(['frame']);

// name, the page's query, the desktop's arguments (the same moment), window size.
const kCases = [
  ...['architecture', 'startup', 'sequence', 'stats'].map((p) => ({
    name: `article-${p}`,
    query: `?trace=traces/article.jsonl&event=21&picture=${p}`,
    desktop: ['--replay', 'traces/article.jsonl', '--at-event', '20', '--picture', p],
  })),
  // Another size: the pipe_write token in flight to worker[2] (desktop test
  // DispatchPutsATokenOnThePipeToWorker2's moment) in a smaller window.
  { name: 'article-token-1024x640', width: 1024, height: 640,
    query: '?trace=traces/article.jsonl&event=22&picture=architecture',
    desktop: ['--replay', 'traces/article.jsonl', '--at-event', '21', '--picture', 'architecture'] },
  // A selected session on the sequence at the reply.
  { name: 'article-session-1', query: '?trace=traces/article.jsonl&event=35&picture=sequence&session=1',
    desktop: ['--replay', 'traces/article.jsonl', '--at-event', '34', '--picture', 'sequence',
              '--select-session', '1'] },
  // A lesson on its recording, in Chinese, walked to step 3 (the tutorial panel and its buttons).
  { name: 'lesson-02-step3-zh', query: '?tutorial=02-one-request&step=3&lang=zh',
    desktop: ['--tutorial', '02-one-request', '--tutorial-replay', '--tutorial-step', '3',
              '--lang', 'zh'] },
];

// Paths where a and b differ ("/pictures/0/nodes/3/rect/0: 12.5 != 13"), at most `limit`.
function differences(a, b, where = '', out = [], limit = 12) {
  if (out.length >= limit) return out;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${where}: length ${a.length} != ${b.length}`);
    for (let i = 0; i < Math.min(a.length, b.length); ++i) differences(a[i], b[i], `${where}/${i}`, out, limit);
  } else if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (where === '' && kExcluded.has(k)) continue;
      if (!(k in a)) out.push(`${where}/${k}: only on the web`);
      else if (!(k in b)) out.push(`${where}/${k}: only on the desktop`);
      else differences(a[k], b[k], `${where}/${k}`, out, limit);
    }
  } else if (a !== b) {
    out.push(`${where}: desktop ${JSON.stringify(a)?.slice(0, 120)} != web ${JSON.stringify(b)?.slice(0, 120)}`);
  }
  return out;
}

// The desktop viewer headless on its own Xvfb (xvfb-run -a), in the source tree like
// `rscope web` (so both name the trace traces/article.jsonl).
function desktopDump(c, file) {
  const w = c.width || 1280;
  const hgt = c.height || 800;
  const r = spawnSync('xvfb-run', ['-a', '-s', `-screen 0 ${w}x${hgt}x24`, env.viewer, ...c.desktop,
                                   '--width', String(w), '--height', String(hgt), '--dump-layout', file],
                      { cwd: env.source, timeout: 60000, encoding: 'utf8' });
  assert.equal(r.status, 0, `desktop viewer failed (${r.error || r.signal}): ${r.stderr}`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

let h;
before(async () => {
  assert.ok(fs.existsSync(env.viewer), `${env.viewer} missing: run scripts/build.sh`);
  h = await Harness.start({ test: 'desktop_equality' });
});
after(async () => { await h?.teardown(); });

for (const c of kCases) {
  test(`${c.name}: the web dump equals the desktop's`, async () => {
    const desk = desktopDump(c, path.join(h.outDir, `desktop-${c.name}.json`));
    const page = await h.open(c.query, { width: c.width || 1280, height: c.height || 800,
      until: (s) => s.cursor_event === desk.state.cursor_event && s.events === desk.events &&
                    JSON.stringify(s.tutorial) === JSON.stringify(desk.state.tutorial) });
    // Settled: two dumps of different frames that agree (a first frame may still be sizing).
    let prev = await h.dump(page);
    const web = await h.waitDump(page, (d) => {
      const same = d.frame > prev.frame && differences(prev, d).length === 0;
      prev = d;
      return same;
    }, 10000);
    assert.ok(web, `the page's dump did not settle: ${differences(prev, h.lastDump)}`);
    h.writeJson(`web-${c.name}`, web);
    await h.screenshot(page, `web-${c.name}`);
    const diff = differences(desk, web);
    assert.deepEqual(diff, [], `${c.name}: the web dump differs from the desktop's`);
  });
}
