// The article's request on all four pictures of a link to its moment: each
// `?trace=traces/article.jsonl&event=21&picture=P` opens on tab P with the cursor on event #21
// (index 20: reactor[0]'s dispatch of session 1's "hello world\n" to worker[2]) and the request
// drawn on that picture, as the desktop tests assert for the same moment
// (tests/viewer/app/viewer_app_test.cpp, tests/viewer/layout/*). And the page paints it: in the
// screenshot (article-P.png in the test's output folder) each box is filled with the colour its
// record names, a token in flight is drawn where the dump puts it, a busy worker is amber.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Harness, byId, picture, env, dominantColor } from './harness.mjs';

const kEvent = 20;  // #21
// The article's events by seq (index + 1), read here, not by the viewer.
const bySeq = new Map(fs.readFileSync(path.join(env.source, 'traces/article.jsonl'), 'utf8')
  .split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l)).filter((j) => j.seq)
  .map((j) => [j.seq, j]));
const ts = (seq) => bySeq.get(seq).ts;

let h;
before(async () => { h = await Harness.start({ test: 'article_pictures' }); });
after(async () => {
  const exits = await h?.teardown();
  if (exits) assert.equal(exits['rscope web'].code, 0, 'rscope web exits 0 on SIGTERM');
});

// Opens the moment on `tab`; checks what every picture shares (tab, cursor, events, the address).
async function openMoment(tab, expectedPicture) {
  const page = await h.open(`?trace=traces/article.jsonl&event=21&picture=${tab}`,
                            { until: (s) => s.events === 36 && s.cursor_event === kEvent });
  const d = await h.waitDump(page, (j) => j.cursor && j.cursor.event === kEvent &&
                                          j.pictures && j.pictures.length > 0);
  assert.ok(d, `no dump at event ${kEvent}: ${JSON.stringify(h.lastDump?.cursor)}`);
  assert.equal(d.picture_tab, tab);
  assert.equal(picture(d).picture, expectedPicture);
  assert.equal(d.events, 36);
  assert.equal(d.cursor.event, kEvent);
  assert.equal(d.cursor.kind, 'dispatch');
  assert.equal(d.cursor.position, 21, 'the log\'s #21');
  assert.equal(d.state.picture, tab);
  assert.equal(d.state.source, 'traces/article.jsonl');
  // The event log shows and marks the cursor's row.
  assert.ok(d.event_log_rows.some((r) => r.id === kEvent), JSON.stringify(d.event_log_rows));
  // The moment written back is the link it was opened with.
  const q = await h.momentQuery(page);
  assert.match(q, /trace=traces%2Farticle\.jsonl|trace=traces\/article\.jsonl/);
  assert.match(q, /event=21/);
  assert.match(q, new RegExp(`picture=${tab}`));
  const img = await h.screenshot(page, `article-${tab}`);
  // The statistics' panels are ImGui child windows with no fill in their records.
  assertPaintedAsDumped(img, picture(d), tab, tab === 'stats' ? 0 : 4);
  return d;
}

const hex = (c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
const near = (a, b, tol) => a && b && a.every((v, i) => Math.abs(v - b[i]) <= tol);
const inside = (r, o) => o[0] >= r[0] && o[1] >= r[1] && o[0] + o[2] <= r[0] + r[2] &&
                         o[1] + o[3] <= r[1] + r[3];

// Every box that holds no other box is filled with its record's colour (opaque fills; a box
// holding others, the master, shows theirs most); every token is drawn in its colour at its pos.
function assertPaintedAsDumped(img, p, tab, minBoxes = 4) {
  let boxes = 0;
  for (const n of p.nodes) {
    if (!n.rect || !n.fill || !n.fill.endsWith('FF')) continue;
    if (p.nodes.some((o) => o !== n && o.rect && inside(n.rect, o.rect))) continue;
    const painted = dominantColor(img, n.rect);
    assert.ok(near(painted, hex(n.fill), 3),
              `${tab}: ${n.id} painted ${painted}, its record says ${n.fill}`);
    ++boxes;
  }
  assert.ok(boxes >= minBoxes, `${tab}: only ${boxes} boxes checked`);
  for (const t of p.tokens) {
    const painted = dominantColor(img, [t.pos[0] - 2, t.pos[1] - 2, 4, 4], 0);
    assert.ok(near(painted, hex(t.color), 8),
              `${tab}: token ${t.kind} on ${t.edge} painted ${painted}, record ${t.color}`);
  }
}

test('architecture: session 1 came in on reactor[0] and was dispatched on the pipe to worker[2]',
     async () => {
  const d = await openMoment('architecture', 'architecture');
  const p = picture(d);
  const client = byId(p.nodes, 'client[1]');
  assert.ok(client, 'client[1] is drawn');
  assert.equal(client.state, 'open');
  assert.deepEqual(client.lines, ['fd 30  reactor[0]', 'open']);
  assert.ok(byId(p.nodes, 'reactor[0]').lines.includes('read 12 B  written 0 B'),
            JSON.stringify(byId(p.nodes, 'reactor[0]').lines));
  assert.ok(byId(p.nodes, 'main_reactor').lines.includes('accepted 1  open 1'));
  // The request's path so far, each edge used once: accept, hand-off to reactor[0], the
  // client's connection, the pipe reactor[0] -> worker[2] the dispatch chose.
  for (const id of ['accept', 'handoff[0]', 'client[1]->reactor[0]', 'pipe[0->2]']) {
    const e = byId(p.edges, id);
    assert.ok(e, `edge ${id}`);
    assert.equal(e.count, 1, `${id} used once: ${JSON.stringify(e)}`);
  }
  assert.equal(byId(p.edges, 'pipe[0->1]')?.count ?? 0, 0, 'no other worker\'s pipe used');
  // worker[2] has not received it yet: the RECV_DATA is written to the pipe at #22.
  assert.equal(byId(p.nodes, 'worker[2]').state, 'idle');
});

test('startup: the whole startup is lit, task workers (none here) stay dark', async () => {
  const d = await openMoment('startup', 'startup');
  const p = picture(d);
  for (const [id, count] of [['step.master.pipes', '4/4'], ['step.master.fork_manager', null],
                             ['step.master.listen', null], ['step.master.reactor_threads', '2/2'],
                             ['step.manager.spawn_workers', '4/4'], ['step.manager.wait', null],
                             ['step.worker.loop', '4/4'], ['step.reactor.init', '2/2']]) {
    const n = byId(p.nodes, id);
    assert.ok(n, id);
    assert.equal(n.state, 'lit', `${id}: ${JSON.stringify(n)}`);
    if (count) assert.ok(n.lines.join(' ').includes(count), `${id}: ${n.lines}`);
  }
  assert.equal(byId(p.nodes, 'step.task_worker.loop').state, 'pending');
  assert.ok(p.edges.some((e) => e.id === 'fork:manager.spawn_workers->worker.loop'));
});

test('sequence: session 1\'s read of "hello world\\n" and the dispatch are drawn, the rest faded',
     async () => {
  const d = await openMoment('sequence', 'sequence');
  const p = picture(d);
  assert.deepEqual(p.nodes.slice(0, 5).map((n) => n.id),
                   ['client[1]', 'main_reactor', 'reactor[0]', 'pipe[0->2]', 'worker[2]']);
  const read = byId(p.edges, 'msg[19]');
  const dispatch = byId(p.edges, 'msg[20]');
  assert.ok(read && dispatch, JSON.stringify(p.edges.map((e) => e.id)));
  assert.match(read.label, /swReactorThread_onRead +12B "hello world\\n"/);
  assert.equal(read.session, 1);
  assert.equal(read.faded, false);
  assert.match(dispatch.label, /swFactoryProcess_dispatch +fd 30 % 4 = 2/);
  assert.equal(dispatch.faded, false, 'the cursor\'s event is not faded');
  // What comes after the cursor is drawn faded.
  assert.equal(byId(p.edges, 'msg[21]').faded, true);
  assert.deepEqual(d.session_list_rows.map((r) => r.id), [1]);
});

test('stats: the read->dispatch hop of the request is in, the reply is not yet', async () => {
  const d = await openMoment('stats', 'statistics');
  const s = d.statistics;
  assert.equal(s.position, 21);
  assert.equal(s.hops['read->dispatch'].count, 1);
  assert.equal(s.hops['read->dispatch'].p50_ns, ts(21) - ts(20));
  assert.equal(s.hops['read->write'].count, 0, 'no reply before the cursor');
  assert.equal(s.reactors[0].bytes_read, bySeq.get(20).args.bytes);
  const p = picture(d);
  const hist = byId(p.nodes, 'hist:read->dispatch');
  assert.ok(hist);
  assert.deepEqual(hist.lines.slice(0, 2), ['n 1', `p50 ${ts(21) - ts(20)} ns`]);
  assert.ok(byId(p.nodes, 'reactors').lines[0].includes('read 12 B'));
  // "Workers at the cursor": worker[2] has not run onReceive yet.
  assert.ok(byId(p.nodes, 'workers').lines.includes('worker[2] requests 0, busy 0 ns (0.00 %)'),
            JSON.stringify(byId(p.nodes, 'workers').lines));
  for (const id of ['workers', 'reactors', 'plot:requests', 'plot:pipe_depth',
                    'hist:read->write']) assert.ok(byId(p.nodes, id), id);
});

// The desktop's DispatchPutsATokenOnThePipeToWorker2 and OnReceiveMakesWorker2BusyAndAmber,
// in the page: #22's pipe_write token is painted on pipe[0->2]; at #27 worker[2] is amber.
test('architecture, painted: the token on pipe[0->2] at #22, worker[2] amber in onReceive at #27',
     async () => {
  let page = await h.open('?trace=traces/article.jsonl&event=22&picture=architecture',
                          { until: (s) => s.cursor_event === 21 });
  let d = await h.dump(page);
  let p = picture(d);
  const token = p.tokens.find((t) => t.edge === 'pipe[0->2]' && t.kind === 'pipe_write');
  assert.ok(token, JSON.stringify(p.tokens));
  let img = await h.screenshot(page, 'article-token-22');
  assertPaintedAsDumped(img, p, '#22');
  const background = dominantColor(img, p.canvas, 2);
  const at = dominantColor(img, [token.pos[0] - 2, token.pos[1] - 2, 4, 4], 0);
  assert.notDeepEqual(at, background, 'the token stands out from the background');

  page = await h.open('?trace=traces/article.jsonl&event=27&picture=architecture',
                      { until: (s) => s.cursor_event === 26 });
  d = await h.dump(page);
  p = picture(d);
  assert.equal(byId(p.nodes, 'worker[2]').state, 'busy');
  assert.equal(byId(p.nodes, 'worker[0]').state, 'idle');
  img = await h.screenshot(page, 'article-busy-27');
  assertPaintedAsDumped(img, p, '#27');
  const [r, g, b] = dominantColor(img, byId(p.nodes, 'worker[2]').rect);
  // Amber: red first, green well above blue (as the desktop test says).
  assert.ok(r >= 90 && r > g + 15 && g > b + 30, `worker[2] not amber: ${[r, g, b]}`);
  const idle = dominantColor(img, byId(p.nodes, 'worker[0]').rect);
  assert.notDeepEqual(idle, [r, g, b]);
});
