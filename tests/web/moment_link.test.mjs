// Links to a moment, both ways, as a course author meets them: View > "Copy link to this moment"
// (a real click on the menu, then on the item, where the layout dump puts them) writes the moment
// on screen into the address bar, and that address opens the same moment in a fresh page; with
// "Address bar follows the cursor" ticked, each step (the Right arrow key) moves the address on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, poll } from './harness.mjs';

let h;
before(async () => { h = await Harness.start({ test: 'moment_link' }); });
after(async () => { await h?.teardown(); });

const article = 'traces/article.jsonl';

// Opens the View menu and clicks `item` (a widget name the menu records).
async function viewMenu(page, item) {
  const d = await h.dump(page);
  assert.ok(d.widgets.menu_view, `no View menu header in the dump: ${Object.keys(d.widgets)}`);
  await h.clickRect(page, d.widgets.menu_view);
  const open = await h.waitDump(page, (x) => x.widgets[item]);
  assert.ok(open, `the View menu did not show ${item}`);
  await h.clickRect(page, open.widgets[item]);
}

const search = (page) => page.evaluate(() => location.search);

test('Copy link to this moment puts the moment on screen in the address bar, and it opens', async () => {
  const page = await h.open(`?trace=${article}&event=21&picture=sequence`,
                            { until: (s) => s.events === 36 && s.cursor_event === 20 });
  // A learner steps once (#22) before copying: the link names where they are, not where they came in.
  await page.keyboard.press('ArrowRight');
  assert.ok(await h.waitState(page, (s) => s.cursor_event === 21), 'Right did not step to #22');
  await viewMenu(page, 'menu_copy_link');
  const want = `?trace=${article}&event=22&picture=sequence`;
  const got = await poll(async () => ((await search(page)) === want ? want : null));
  assert.equal(got, want, `the address bar shows ${await search(page)}`);
  assert.equal(await h.momentQuery(page), want.slice(1));

  const again = await h.open(want, { until: (s) => s.events === 36 && s.cursor_event === 21 });
  const s = await h.state(again);
  assert.equal(s.picture, 'sequence');
  assert.equal(s.cursor_event, 21, 'the link opens #22 (index 21)');
});

test('with "Address bar follows the cursor" each step moves the address on', async () => {
  const page = await h.open(`?trace=${article}&event=5&picture=architecture`,
                            { until: (s) => s.events === 36 && s.cursor_event === 4 });
  assert.equal(await search(page), `?trace=${article}&event=5&picture=architecture`,
               'the address is the link until something moves');
  await viewMenu(page, 'menu_link_follows');
  for (const n of [6, 7, 8]) {
    await page.keyboard.press('ArrowRight');
    const want = `?trace=${article}&event=${n}&picture=architecture`;
    const got = await poll(async () => ((await search(page)) === want ? want : null));
    assert.equal(got, want, `after a step the address is ${await search(page)}`);
  }
  // Going back follows too.
  await page.keyboard.press('ArrowLeft');
  const back = `?trace=${article}&event=7&picture=architecture`;
  assert.equal(await poll(async () => ((await search(page)) === back ? back : null)), back);
});
