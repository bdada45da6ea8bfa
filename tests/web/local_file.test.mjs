// Opening a file of one's own, the two ways a page offers: the file picker (#file, what File >
// Open asks the page for) and drag-and-drop onto the window. A copy of traces/article.jsonl under
// another name (so that it cannot be the bundled or served one) becomes /local/NAME in the
// viewer's file system and opens like File > Open: the state's source is that path and the 36
// events are in, without parse errors; the architecture shows the article's server (four workers,
// the master's pid from the file).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Harness, env, byId, picture } from './harness.mjs';

let h;
let copy;
before(async () => {
  h = await Harness.start({ test: 'local_file' });
  copy = path.join(h.outDir, 'my-own-article.jsonl');
  fs.copyFileSync(path.join(env.source, 'traces/article.jsonl'), copy);
});
after(async () => { await h?.teardown(); });

// The page with no link: the viewer up, nothing open (or its default), ready for a file.
async function emptyPage() {
  return h.open('', { until: () => true });
}

async function assertOpened(page, how) {
  const s = await h.waitState(page, (j) => j.source === '/local/my-own-article.jsonl' &&
                                           j.events === 36, 10000);
  assert.ok(s, `${how}: the file did not open: ${JSON.stringify(h.lastState)}\n${h.log()}`);
  const d = await h.waitDump(page, (j) => j.source === '/local/my-own-article.jsonl' && j.events === 36);
  assert.ok(d, how);
  assert.equal(d.errors, 0, `${how}: parse errors`);
  assert.ok(d.source.endsWith('my-own-article.jsonl'));
  // What it shows is the article's server (opened at its start, as File > Open does).
  const arch = picture(d);
  assert.ok(arch, how);
  assert.ok(byId(arch.nodes, 'worker[3]'), `${how}: four workers drawn`);
  assert.equal(byId(arch.nodes, 'master').title, 'master  pid 20769');
  // The file is what the page wrote, byte for byte.
  const size = await page.evaluate(() => FS.stat('/local/my-own-article.jsonl').size);
  assert.equal(size, fs.statSync(copy).size);
  await h.screenshot(page, how);
  return d;
}

test('the file picker (#file) opens a local trace', async () => {
  const page = await emptyPage();
  const s0 = await h.state(page);
  assert.notEqual(s0.source, '/local/my-own-article.jsonl');
  await page.setInputFiles('#file', copy);
  await assertOpened(page, 'picker');
  // The input is cleared, so picking the same file again opens it again.
  assert.equal(await page.evaluate(() => document.getElementById('file').value), '');
});

test('a file dropped on the window opens, and the drop hint shows while dragging', async () => {
  const page = await emptyPage();
  const text = fs.readFileSync(copy, 'utf8');
  const dataTransfer = await page.evaluateHandle((t) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], 'my-own-article.jsonl', { type: 'application/x-ndjson' }));
    return dt;
  }, text);
  await page.dispatchEvent('#canvas', 'dragover', { dataTransfer });
  assert.equal(await page.evaluate(() => document.getElementById('drop').classList.contains('on')),
               true, 'the drop hint shows over the window');
  await h.screenshot(page, 'drop-hint');
  await page.dispatchEvent('#canvas', 'drop', { dataTransfer });
  assert.equal(await page.evaluate(() => document.getElementById('drop').classList.contains('on')),
               false, 'the hint goes away on the drop');
  await assertOpened(page, 'drop');
});
