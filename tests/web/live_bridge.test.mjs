// Live through the bridge: the real `rscope server` (the article's handler, trace socket on an
// ephemeral loopback port, --trace-step) behind `rscope web --trace`, watched by the page at
// `?live=1` over its WebSocket /live. Free running, the article's client ("hello world\n") puts
// the whole request into the page's store: accept, read, onReceive in the worker the server's own
// log names, the reply. Step mode over the bridge, with the page's buttons clicked: "step the
// server" holds it (the client's request stops at the first event of each thread), "10 hops" and
// "Next hop" let events through until the worker is inside onReceive, unchecking releases it and
// the client gets its reply.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, Child, env, byId, picture, sleep } from './harness.mjs';

const kReply = 'From TcpServer Swoole: hello world';

let h;
let server;
let ports;

// `rscope server --port 0 --trace-listen 127.0.0.1:0`: both ports read from its first line.
async function startServer(extra = []) {
  const s = new Child('rscope server', env.rscope,
    ['server', '--port', '0', '--handler', 'article', '--worker-num', '4', '--reactor-num', '2',
     '--dispatch-mode', '2', '--trace-listen', '127.0.0.1:0', ...extra],
    { cwd: env.source, detached: true });
  const m = await s.waitFor(/listening on 127\.0\.0\.1:(\d+) .*trace 127\.0\.0\.1:(\d+)/, 10000);
  if (!m) {
    await s.stop();
    throw new Error(`rscope server did not start:\n${s.output}`);
  }
  return { s, port: m[1], trace: m[2] };
}

beforeEach(async () => {
  const started = await startServer(['--trace-step']);
  server = started.s;
  ports = started;
  h = await Harness.start({ test: 'live_bridge', trace: `127.0.0.1:${ports.trace}` });
  h.children.push(server);  // stopped by teardown, after chromium and before rscope web
});

afterEach(async () => {
  const exits = await h?.teardown();
  if (exits) {
    assert.equal(exits['rscope server'].code, 0, `the server stops cleanly: ${server.output.slice(-1500)}`);
    assert.equal(exits['rscope web'].code, 0, 'rscope web exits 0 on SIGTERM');
  }
});

// The article's client, bounded by its own timeout and ours.
async function runClient(extra = []) {
  const c = h.spawn('rscope client', env.rscope,
                    ['client', '--port', ports.port, '--timeout-ms', '20000', ...extra]);
  return c;
}

async function clientDone(c, timeoutMs = 25000) {
  let timer;
  const late = new Promise((resolve) => { timer = setTimeout(() => resolve(null), timeoutMs); });
  const exit = await Promise.race([c.done, late]);
  clearTimeout(timer);
  assert.ok(exit, `the client did not finish in ${timeoutMs} ms: ${c.output}`);
  assert.equal(exit.code, 0, c.output);
  assert.ok(c.output.includes(kReply), c.output);
}

test('free running: the article\'s request arrives in the page, hop by hop, to its worker',
     async () => {
  const page = await h.open('?live=1', { until: (s) => s.live && s.events > 0 });
  const s0 = await h.state(page);
  assert.equal(s0.live, true);
  assert.equal(s0.following_live, true);
  assert.match(s0.source, /^ws:\/\/127\.0\.0\.1:\d+\/live$/);
  assert.equal(s0.source, `ws://127.0.0.1:${h.web.port}/live`);
  const startup = s0.events;
  assert.ok(startup >= 13, `the startup's events (13 for 4 workers, 2 reactors): ${startup}`);

  const c = await runClient();
  await clientDone(c);
  // The worker the server ran onReceive in, from its own log.
  const m = server.output.match(/worker\[(\d)\] onReceive: session 1 .*hello world/);
  assert.ok(m, server.output);
  const worker = `worker[${m[1]}]`;

  const d = await h.waitDump(page, (j) => j.statistics?.hops?.['read->write']?.count === 1 &&
                                          j.cursor?.kind === 'close', 10000);
  assert.ok(d, `the request did not reach the page: ${JSON.stringify(h.lastDump?.state)}\n${h.log()}`);
  assert.equal(d.events, startup + 23, 'the 23 events of one request (as in traces/article.jsonl)');
  assert.equal(d.state.cursor_event, d.events - 1, 'following live: the cursor on the newest');
  assert.equal(d.statistics.requests, 1);
  const p = picture(d);
  assert.equal(p.picture, 'architecture');
  assert.ok(byId(p.nodes, 'main_reactor').lines.includes('accepted 1  open 0'),
            JSON.stringify(byId(p.nodes, 'main_reactor').lines));
  assert.deepEqual(byId(p.nodes, worker).lines, ['idle', 'gen 1  requests 1'],
                   `${worker} ran the request: ${JSON.stringify(p.nodes.map((n) => [n.id, n.lines]))}`);
  for (const other of [0, 1, 2, 3].filter((i) => `worker[${i}]` !== worker)) {
    assert.deepEqual(byId(p.nodes, `worker[${other}]`).lines, ['idle', 'gen 1  requests 0']);
  }
  await h.screenshot(page, 'free-running');
});

test('step mode: held from the page, hops reach onReceive, released the reply goes out',
     async () => {
  const page = await h.open('?live=1&picture=sequence&session=1',
                            { until: (s) => s.live && s.events > 0 });
  let d = await h.dump(page);
  assert.ok(d.widgets.step_server, JSON.stringify(d.widgets));
  await h.clickRect(page, d.widgets.step_server);
  d = await h.waitDump(page, (j) => j.holding_server && j.state.holding_server && j.widgets.ten_hops);
  assert.ok(d, `"step the server" did not hold it: ${JSON.stringify(h.lastDump?.state)}`);
  // The page says "held" once it has sent `hold`; the server holds once the line has come through
  // the bridge. Its log says when (the gate_hold event it streams is kept out of the page's store
  // and dump), and only then is the client's request sure to stop: under load it ran through.
  assert.ok(await server.waitFor(/trace client holds the step gate/, 10000),
            `the server never held: ${server.output.slice(-1500)}`);
  d = await h.dump(page);
  const before = d.events;

  const c = await runClient(['--trace-from', `127.0.0.1:${ports.trace}`]);
  await sleep(1500);  // a learner reads: a held server does not move meanwhile
  d = await h.dump(page);
  // Held: each traced thread emits at most the one event it is paused at.
  assert.ok(d.events - before >= 1 && d.events - before <= 8,
            `held: ${d.events - before} events came in`);
  assert.equal(c.exited, null, 'the client waits for its reply while the server is held');
  const held = d.events;
  await h.screenshot(page, 'held');

  // "10 hops" once (the connection and the read), then "Next hop" until the cursor is on
  // onReceive's callback_enter. A hop moves the cursor exactly one event (viewer/model/
  // hop_stepper.h), stepping the held server when the cursor is on its newest event: wait for
  // the cursor, not for the events received.
  const c0 = d.cursor.event;
  await h.clickRect(page, d.widgets.ten_hops);
  d = await h.waitDump(page, (j) => j.cursor.event === c0 + 10, 15000);
  assert.ok(d, `"10 hops" did not move the cursor 10 events from ${c0}: ` +
               `${JSON.stringify(h.lastDump?.cursor)}`);
  const isOnReceive = (j) => j.cursor?.kind === 'callback_enter' &&
    picture(j).edges.some((e) => e.event_index === j.cursor.event &&
                                 /swWorker_onTask +onReceive +\+/.test(e.label));
  for (let presses = 0; presses < 20 && !isOnReceive(d); ++presses) {
    const at = d.cursor.event;
    await h.clickRect(page, d.widgets.next_hop);
    d = await h.waitDump(page, (j) => j.cursor.event > at, 5000);
    assert.ok(d, `"Next hop" press ${presses + 1} did not move the cursor from ${at}`);
    assert.equal(d.cursor.event, at + 1, 'one hop, one event');
  }
  assert.ok(isOnReceive(d), `onReceive not reached: ${JSON.stringify(d.cursor)} ` +
            `${JSON.stringify(picture(d).edges.map((e) => e.label))}`);
  assert.equal(d.holding_server, true, 'still held after the hops');
  assert.ok(!picture(d).edges.some((e) => /swReactorThread_send /.test(e.label)),
            'no reply written to the client yet');
  assert.equal(c.exited, null, 'no reply while held inside onReceive');
  await h.screenshot(page, 'held-in-onreceive');

  // Released: the client gets its reply, the page the rest of the request.
  await h.clickRect(page, d.widgets.step_server);
  await clientDone(c);
  d = await h.waitDump(page, (j) => !j.holding_server && j.cursor?.kind === 'close' &&
                                    j.statistics?.hops?.['read->write']?.count === 1, 10000);
  assert.ok(d, `not released: ${JSON.stringify(h.lastDump?.state)}`);
  assert.equal(d.state.holding_server, false);
});
