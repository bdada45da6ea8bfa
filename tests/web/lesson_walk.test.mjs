// Lessons walked with the Next button on their recordings, in the browser, as a learner does: the
// page opens `?tutorial=NAME` (a lesson runs on its recording: a page cannot start a server), and
// each Next is a real click with the page's mouse at the centre of the button's rect from the
// layout dump. At every step, as tests/viewer/app/tutorial_walk_test.cpp's RecordedLesson asserts
// on the desktop: a step with an action waits Ready with the cursor still on the previous step's
// event until Next runs it; then the checkpoint is met, the cursor is ON the event that met it
// (state too), that event is of a kind that closes the checkpoint, the tab is the one the step
// names, the picture shows the moment (a callback_enter: a busy worker; a hop: its token) and the
// nodes the step points at are lit. The last step is reached and the address names the lesson.
// lang=zh once: the steps' text is the lesson's Chinese text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Harness, byId, picture, env } from './harness.mjs';

const readLesson = (id) =>
  JSON.parse(fs.readFileSync(path.join(env.source, 'tutorials', `${id}.json`), 'utf8'));

// Kinds of the matcher that completes a checkpoint: the last one in order, any of them in any_order.
function closingKinds(checkpoint) {
  const events = checkpoint.events;
  const anyOrder = (checkpoint.order || 'in_order') === 'any_order';
  const kinds = new Set();
  for (const e of anyOrder ? events : events.slice(-1)) {
    for (const k of [].concat(e.kind)) kinds.add(k);
  }
  return kinds;
}

const kHops = new Set(['accept', 'read', 'peer_close', 'pipe_write', 'reactor_write', 'close',
                       'worker_restart']);

function assertPictureShowsTheMoment(d, kind, at) {
  if (d.picture_tab !== 'architecture' || !picture(d)) return;
  const p = picture(d);
  if (kind === 'callback_enter') {
    assert.ok(p.nodes.some((n) => n.state === 'busy'), `${at}: a callback runs, no worker is busy`);
  }
  if (kHops.has(kind)) {
    assert.ok(p.tokens.some((t) => t.kind === kind),
              `${at}: no ${kind} token in flight: ${JSON.stringify(p.tokens)}`);
  }
}

let h;
before(async () => { h = await Harness.start({ test: 'lesson_walk' }); });
after(async () => { await h?.teardown(); });

const isStep = (k, statuses) => (d) => d.tutorial && d.tutorial.step === k &&
  statuses.includes(d.tutorial.status) && d.events > 0;

async function walk(id, lang) {
  const lesson = readLesson(id);
  const steps = lesson.steps;
  const query = `?tutorial=${id}${lang ? `&lang=${lang}` : ''}`;
  const page = await h.open(query, { until: (s) => s.tutorial && s.tutorial.step === 1 && s.events > 0 });
  let previousMet = -1;
  const clicks = [];
  for (let k = 1; k <= steps.length; ++k) {
    const s = steps[k - 1];
    const at = `${id}${lang ? ` ${lang}` : ''} step ${k}`;
    let d = await h.waitDump(page, isStep(k, ['ready', 'met', 'none', 'ahead']));
    assert.ok(d, `${at}: not reached: ${JSON.stringify(h.lastDump?.tutorial)}\n${h.log()}`);
    assert.equal(d.tutorial.id, id);
    assert.equal(d.tutorial.mode, 'replay');
    assert.equal(d.tutorial.steps, steps.length);
    if (s.action) {
      // Nothing of the step has happened before Next: the picture keeps the previous moment.
      assert.equal(d.tutorial.status, 'ready', `${at}: ${JSON.stringify(d.tutorial)}`);
      assert.equal(d.tutorial.action_pending, true, at);
      if (previousMet >= 0) assert.equal(d.cursor.event, previousMet, `${at}: ran ahead of its text`);
      clicks.push(await h.clickRect(page, d.tutorial.buttons.next));
    }
    d = await h.waitDump(page, (j) => j.tutorial && j.tutorial.step === k &&
      ['met', 'none'].includes(j.tutorial.status) && !j.tutorial.action_pending &&
      (j.tutorial.status === 'none' || j.cursor.event === j.tutorial.met_event));
    assert.ok(d, `${at}: the checkpoint was not met with the cursor on it: ` +
                 `${JSON.stringify(h.lastDump?.tutorial)} cursor ${JSON.stringify(h.lastDump?.cursor)}`);
    if (lang) assert.equal(d.tutorial.text, s.text[lang], `${at}: the step's ${lang} text`);
    if (s.checkpoint) {
      assert.equal(d.tutorial.status, 'met', at);
      const met = d.tutorial.met_event;
      assert.ok(met >= 0, at);
      assert.equal(d.cursor.event, met, `${at}: the cursor is not on the checkpoint`);
      assert.equal(d.state.cursor_event, met, at);
      assert.equal(d.state.tutorial.checkpoint_met, true, at);
      assert.ok(closingKinds(s.checkpoint).has(d.cursor.kind),
                `${at}: the cursor's event is a ${d.cursor.kind}`);
      if (s.highlight && s.highlight.picture) assert.equal(d.picture_tab, s.highlight.picture, at);
      assertPictureShowsTheMoment(d, d.cursor.kind, at);
      previousMet = met;
    }
    if (d.picture_tab === 'architecture' && picture(d)) {
      for (const nodeId of d.tutorial.highlight.nodes) {
        const n = byId(picture(d).nodes, nodeId);
        if (n) assert.equal(n.highlighted, true, `${at}: ${nodeId} not lit`);
      }
    }
    if (k === 1 || k === steps.length) await h.screenshot(page, `${id}${lang ? `-${lang}` : ''}-step${k}`);
    if (k < steps.length) clicks.push(await h.clickRect(page, d.tutorial.buttons.next));
  }
  const st = await h.state(page);
  assert.equal(st.tutorial.step, steps.length, id);
  assert.equal(st.tutorial.steps, steps.length, id);
  assert.equal(st.live, false, id);
  assert.match(await h.momentQuery(page), new RegExp(`tutorial=${id}.*step=${steps.length}`));
  return clicks;
}

test('02-one-request: Next walks the article\'s request hop by hop on its recording', async () => {
  const clicks = await walk('02-one-request');
  assert.equal(clicks.length, 7, 'one Next for the action, six to go on');
});

test('12-worker-lifecycle: every step\'s checkpoint, the killed worker and its restart', async () => {
  await walk('12-worker-lifecycle');
});

test('05-worker-killed in Chinese (lang=zh): the same walk, the steps in Chinese', async () => {
  await walk('05-worker-killed', 'zh');
});
