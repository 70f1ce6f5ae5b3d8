'use strict';
// The editor in a REAL browser (Debian chromium driven by playwright-core), as a user meets it:
// open the editor of a Node-RED that has this package installed (linked into its user dir like
// `npm start` does), drag inject → auth → http request → debug from the palette and wire them,
// open the auth node, add a new API credentials config node with the pencil button, switch the
// API select through every scheme and mode and check which form rows show, enter values, press
// Test against a local Tedee bridge fake, deploy, reopen (the secret is stored and shown hidden
// as __PWRD__), Test again with the stored secret, press the inject button and see the answer in
// the Debug sidebar. Screenshots go to test/artifacts/ (the README's pictures are copied from
// there into docs/images/ by hand).
//
// Without /usr/bin/chromium the test FAILS in CI (process.env.CI) and is skipped locally.
// `UPDATE_DOCS_IMAGES=1` copies two screenshots to docs/images/{flow,config-dialog}.png (for the README).
const assert = require('node:assert');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const nr = require('./support/nodered-process');
const tedeeFake = require('./fakes/tedee');
const TABLE = require('../pkg/api_auth_core.js').schemeTable();

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARTIFACTS = path.join(__dirname, 'artifacts');
const DOCS_IMAGES = path.join(__dirname, '..', 'docs', 'images');

// Which rows of the config dialog each scheme / mode must show (docs/CORE_API.md), written out
// here; the options and the credential rows are cross-checked against the core's table (which the
// runtime registers and the editor is built from).
const COMMON = ['baseUrl', 'timeout'];
const EXPECTED = {
    'timetagger/authtoken': ['mode', 'token'],
    'timetagger/bearer': ['mode', 'token'],
    'timbr/token': ['mode', 'token'],
    'timbr/exchange': ['mode', 'username', 'password', 'salt', 'keyMode', 'plaintextMode'],
    'nightscout/secret': ['mode', 'secret'],
    'nightscout/token': ['mode', 'token', 'placement'],
    'nightscout/jwt': ['mode', 'token'],
    'tedee/encrypted': ['mode', 'token', 'placement'],
    'tedee/plain': ['mode', 'token', 'placement'],
    'actyx/exchange': ['appId', 'displayName', 'appVersion', 'signature', 'placement'],
    'oauth2/client-credentials': ['mode', 'tokenUrl', 'clientId', 'clientSecret', 'clientAuth', 'scope', 'audience'],
    'oauth2/refresh-token': ['mode', 'tokenUrl', 'clientId', 'clientSecret', 'clientAuth', 'refreshToken', 'scope'],
    'header/token/header': ['token', 'placement', 'prefix', 'headerName'],
    'header/token/query': ['token', 'placement', 'prefix', 'queryName'],
};
const ALL_ROWS = ['mode', 'placement', 'baseUrl', 'token', 'secret', 'username', 'password', 'salt', 'keyMode',
    'plaintextMode', 'headerName', 'prefix', 'queryName', 'appId', 'displayName', 'appVersion', 'signature', 'timeout',
    'tokenUrl', 'clientId', 'clientSecret', 'clientAuth', 'scope', 'audience', 'refreshToken'];
const CREDENTIAL_ROWS = ['token', 'secret', 'username', 'password', 'salt', 'clientId', 'clientSecret', 'refreshToken'];

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];

describe('editor in a real browser (chromium + playwright-core)', function () {
    this.timeout(120000);
    let red, fake, browser, page, shot = 0;
    const token = 'EditorTest' + crypto.randomBytes(8).toString('hex');
    const ids = {};
    const pageErrors = [];
    const untranslated = new Set();
    let sawDialog = false;

    before(async function () {
        if (!fs.existsSync(CHROMIUM)) {
            if (process.env.CI) throw new Error(`${CHROMIUM} is missing: run .ci/install-browser.sh (apt-get install chromium)`);
            console.log(`      (skipped: ${CHROMIUM} not found — install Debian's chromium or set CHROMIUM_PATH)`);
            this.skip();
        }
        fs.mkdirSync(ARTIFACTS, { recursive: true });
        for (const f of fs.readdirSync(ARTIFACTS)) if (/^editor-.*\.png$/.test(f)) fs.rmSync(path.join(ARTIFACTS, f));
        fake = await tedeeFake.start({ token });
        red = await nr.start({ link: true });
        const { chromium } = require('playwright-core');
        browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
        page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
        page.setDefaultTimeout(15000);
        page.on('pageerror', (e) => pageErrors.push(e.message));
    });

    after(async function () {
        this.timeout(30000);
        if (browser) await browser.close().catch(() => {});
        if (red) await red.stop();
        if (fake) await fake.close();
    });

    // the steps build on each other: after a failure, fail the rest at once instead of timing out
    let broken = null;
    beforeEach(function () {
        // (the first failure already fails the run; the steps after it are reported as pending)
        if (broken && !/^(the browser saw|every label)/.test(this.currentTest.title)) this.skip();
    });
    afterEach(async function () {
        if (this.currentTest.state === 'failed' && !broken) {
            broken = this.currentTest.title;
            if (page) await snap('FAILED-' + this.currentTest.title.slice(0, 40));
        }
    });

    async function snap(name) {
        shot += 1;
        const file = path.join(ARTIFACTS, `editor-${String(shot).padStart(2, '0')}-${name.replace(/[^a-z0-9-]+/gi, '-')}.png`);
        await page.screenshot({ path: file });
        return file;
    }

    /** Let the notifications close and scroll the workspace home, for a clean picture. */
    async function tidyForPicture() {
        await page.locator('.red-ui-notification').first().waitFor({ state: 'detached', timeout: 8000 }).catch(() => {});
        await page.evaluate(() => { const c = document.getElementById('red-ui-workspace-chart'); c.scrollTop = 0; c.scrollLeft = 0; });
        await page.waitForTimeout(200);
    }

    /** With UPDATE_DOCS_IMAGES=1, copy a screenshot to docs/images/ (the README's pictures). */
    function docsImage(file, name) {
        if (process.env.UPDATE_DOCS_IMAGES !== '1') return;
        fs.mkdirSync(DOCS_IMAGES, { recursive: true });
        fs.copyFileSync(file, path.join(DOCS_IMAGES, name));
    }

    /** Drag a node type from the palette onto the workspace at (x, y) → its id. */
    async function dragFromPalette(type, x, y) {
        const filter = page.locator('#red-ui-palette-search input');
        await filter.click();
        await filter.pressSequentially(type, { delay: 20 }); // the palette filters on key events
        const src = page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`).first();
        await src.waitFor({ state: 'visible' });
        await src.scrollIntoViewIfNeeded();
        // the palette re-lays out while it filters: wait until the node stops moving
        let sb = await src.boundingBox();
        for (let i = 0; i < 40; i++) {
            await page.waitForTimeout(100);
            const nb = await src.boundingBox();
            if (nb && sb && nb.x === sb.x && nb.y === sb.y) break;
            sb = nb;
        }
        const hit = await page.evaluate(([x, y]) => {
            const el = document.elementFromPoint(x, y);
            const n = el && el.closest('.red-ui-palette-node');
            return n && n.getAttribute('data-palette-type');
        }, [sb.x + sb.width / 2, sb.y + sb.height / 2]);
        assert.strictEqual(hit, type, `the palette shows ${hit} where ${type} should be`);
        const chart = await page.locator('#red-ui-workspace-chart').boundingBox();
        await page.mouse.move(sb.x + sb.width / 2, sb.y + sb.height / 2);
        await page.mouse.down();
        await page.mouse.move(sb.x + sb.width / 2 + 20, sb.y + sb.height / 2 + 5, { steps: 5 });
        await page.mouse.move(chart.x + x, chart.y + y, { steps: 15 });
        await page.mouse.up();
        await filter.click();
        await filter.press('ControlOrMeta+a');
        await filter.press('Backspace');
        const id = await page.evaluate(() => {
            const sel = RED.view.selection();
            return sel.nodes && sel.nodes.length === 1 ? sel.nodes[0].id : null;
        });
        assert.ok(id, `dropping ${type} did not add a node`);
        const t = await page.evaluate((i) => RED.nodes.node(i).type, id);
        assert.strictEqual(t, type);
        return id;
    }

    /** Drag a wire from output `port` of node a to the input of node b (real mouse). */
    async function wire(a, port, b) {
        const out = page.locator(`[id="${a}"] .red-ui-flow-port-output`).nth(port);
        const inp = page.locator(`[id="${b}"] .red-ui-flow-port-input`).first();
        const ob = await out.boundingBox();
        const ib = await inp.boundingBox();
        await page.mouse.move(ob.x + ob.width / 2, ob.y + ob.height / 2);
        await page.mouse.down();
        await page.mouse.move(ib.x + ib.width / 2, ib.y + ib.height / 2, { steps: 12 });
        await page.mouse.up();
        const linked = await page.evaluate(([s, p, t]) => RED.nodes.filterLinks({ source: RED.nodes.node(s), sourcePort: p, target: RED.nodes.node(t) }).length, [a, port, b]);
        assert.strictEqual(linked, 1, `wire ${a}:${port} → ${b} was not made`);
    }

    async function openNode(id) {
        await page.locator(`[id="${id}"] .red-ui-flow-node`).first().dblclick();
        await page.locator('.red-ui-tray').first().waitFor({ state: 'visible' });
    }

    async function visibleRows() {
        const shown = [];
        for (const r of ALL_ROWS) {
            const loc = page.locator(`.api-auth-row-${r}`);
            assert.strictEqual(await loc.count(), 1, `the config dialog has ${await loc.count()} rows .api-auth-row-${r}`);
            if (await loc.isVisible()) shown.push(r);
        }
        return shown.sort();
    }

    async function waitTestResult() {
        const out = page.locator('#node-config-api-auth-test-result');
        await page.waitForFunction(() => {
            const t = document.querySelector('#node-config-api-auth-test-result').textContent;
            return /^[✓✗]/.test(t.trim());
        });
        return (await out.textContent()).trim();
    }

    it('opens the editor with the package\'s nodes in the palette', async function () {
        await page.goto(red.url);
        for (const t of ['api-auth', 'api-auth-verify']) {
            await page.locator(`.red-ui-palette-node[data-palette-type="${t}"]`).first().waitFor({ state: 'attached', timeout: 30000 });
        }
        const label = await page.locator('.red-ui-palette-node[data-palette-type="api-auth"] .red-ui-palette-label').first().textContent();
        assert.strictEqual(label.trim(), 'auth');
        await snap('editor');
    });

    it('builds inject → auth → http request → debug by dragging from the palette and wiring', async function () {
        ids.inject = await dragFromPalette('inject', 120, 100);
        ids.auth = await dragFromPalette('api-auth', 330, 100);
        ids.http = await dragFromPalette('http request', 560, 190);
        ids.debug = await dragFromPalette('debug', 800, 100);
        await wire(ids.inject, 0, ids.auth);
        await wire(ids.auth, 0, ids.http);
        await wire(ids.auth, 1, ids.debug);
        await wire(ids.http, 0, ids.auth); // the 401 loop: the answer goes back into the auth node
        await page.mouse.click(900, 700); // deselect
        await snap('flow-wired');
    });

    it('adds a new API credentials node from the auth node (pencil) and shows the right rows for every scheme and mode', async function () {
        await openNode(ids.auth);
        await page.locator('#node-input-config').waitFor({ state: 'attached' });
        const selected = await page.locator('#node-input-config').inputValue();
        assert.strictEqual(selected, '_ADD_', 'a new auth node should offer "Add new api-auth-config..."');
        // Node-RED 4: pencil (edit, disabled while "Add new…" is selected) and + (add new)
        assert.ok(await page.locator('#node-input-btn-config-edit').evaluate((b) => b.classList.contains('disabled')), 'pencil should be disabled before a config node exists');
        await page.locator('#node-input-btn-config-add').click();
        await page.locator('#node-config-input-scheme').waitFor({ state: 'visible' });
        await snap('config-dialog-new');

        const schemes = await page.locator('#node-config-input-scheme option').evaluateAll((os) => os.map((o) => o.value));
        assert.deepStrictEqual(schemes, TABLE.map((a) => a.id), 'the API select offers other schemes than the core knows');

        for (const api of TABLE) {
            const scheme = api.id;
            await page.selectOption('#node-config-input-scheme', scheme);
            const modes = await page.locator('#node-config-input-mode option').evaluateAll((os) => os.map((o) => o.value));
            const want = api.modes.map((m) => m.id);
            assert.deepStrictEqual(modes, want, `${scheme}: mode options`);
            for (const mode of want.length ? want : ['']) {
                if (want.length > 1) await page.selectOption('#node-config-input-mode', mode);
                else if (mode) assert.strictEqual(await page.locator('#node-config-input-mode').inputValue(), mode, `${scheme}: its only mode`);
                const placements = scheme === 'header' ? ['header', 'query'] : [''];
                for (const placement of placements) {
                    if (placement) await page.selectOption('#node-config-input-placement', placement);
                    const key = `${scheme}/${mode}${placement ? '/' + placement : ''}`;
                    const expected = [...EXPECTED[key], ...COMMON].sort();
                    const shown = await visibleRows();
                    assert.deepStrictEqual(shown, expected, `${key}: visible rows`);
                    const creds = shown.filter((r) => CREDENTIAL_ROWS.includes(r)).sort();
                    const wanted = api.modes.find((m) => m.id === mode).fields.filter((f) => api.fields[f].credential).sort();
                    assert.deepStrictEqual(creds, wanted, `${key}: the dialog asks for other secrets than the core uses`);
                    for (const r of creds.filter((c) => api.fields[c].kind !== 'name')) {
                        assert.strictEqual(await page.locator(`#node-config-input-${r}`).getAttribute('type'), 'password', `${key}: ${r} is not a password input`);
                    }
                }
            }
            // every label and option the user sees is translated (no raw message keys)
            const texts = await page.locator('#dialog-form label:visible, #dialog-form option, #node-config-dialog-edit-form label:visible, #node-config-dialog-edit-form option')
                .evaluateAll((els) => els.map((e) => e.textContent.trim()));
            for (const t of texts.filter((x) => /^api-auth(-config)?\.[\w.]+$/.test(x))) untranslated.add(t);
            if (['timbr', 'actyx', 'header'].includes(scheme)) await snap('config-' + scheme);
        }
        sawDialog = true;
    });

    it('validates a field as the user types (Nightscout API_SECRET shorter than 12 characters)', async function () {
        await page.selectOption('#node-config-input-scheme', 'nightscout');
        await page.selectOption('#node-config-input-mode', 'secret');
        const secret = page.locator('#node-config-input-secret');
        await secret.fill('short');
        await secret.dispatchEvent('change');
        await page.waitForFunction(() => document.querySelector('#node-config-input-secret').classList.contains('input-error'));
        await secret.fill('a-long-enough-api-secret');
        await secret.dispatchEvent('change');
        await page.waitForFunction(() => !document.querySelector('#node-config-input-secret').classList.contains('input-error'));
        await secret.fill('');
        await secret.dispatchEvent('change');
    });

    it('OAuth 2.0 needs no Base URL (its exchange goes to the Token URL), and the Token URL is checked as typed', async function () {
        const errorOn = (id) => page.locator(`#node-config-input-${id}`).evaluate((e) => e.classList.contains('input-error'));
        const type = async (id, v) => {
            const input = page.locator(`#node-config-input-${id}`);
            await input.fill(v);
            await input.dispatchEvent('change');
        };
        await page.selectOption('#node-config-input-scheme', 'actyx');
        await type('baseUrl', '');
        await page.waitForFunction(() => document.querySelector('#node-config-input-baseUrl').classList.contains('input-error'));
        await page.selectOption('#node-config-input-scheme', 'oauth2');
        for (const mode of ['client-credentials', 'refresh-token']) {
            await page.selectOption('#node-config-input-mode', mode);
            await type('baseUrl', '');
            assert.strictEqual(await errorOn('baseUrl'), false, `${mode}: an empty Base URL is fine`);
        }
        await type('tokenUrl', 'ftp://auth.example.com/token');
        await page.waitForFunction(() => document.querySelector('#node-config-input-tokenUrl').classList.contains('input-error'));
        await type('tokenUrl', 'https://auth.example.com/oauth/token');
        await page.waitForFunction(() => !document.querySelector('#node-config-input-tokenUrl').classList.contains('input-error'));
        await type('tokenUrl', '');
        await page.selectOption('#node-config-input-mode', 'client-credentials');
    });

    it('Test with unsaved values: a wrong token is refused by the server, the right one works', async function () {
        await page.selectOption('#node-config-input-scheme', 'tedee');
        await page.selectOption('#node-config-input-mode', 'encrypted');
        await page.selectOption('#node-config-input-placement', 'header');
        await page.fill('#node-config-input-name', 'Front door bridge');
        await page.fill('#node-config-input-baseUrl', fake.url + '/v1.0');
        await page.fill('#node-config-input-token', 'Wrong' + token);
        const rejectedBefore = fake.stats.rejected;
        await page.locator('#node-config-api-auth-test').click();
        const bad = await waitTestResult();
        assert.match(bad, /^✗ HTTP 401\b/, bad);
        assert.match(bad, /Invalid token/, bad);
        assert.ok(!bad.includes(token), 'the result text shows the secret');
        assert.strictEqual(fake.stats.rejected, rejectedBefore + 1);

        await page.fill('#node-config-input-token', token);
        const acceptedBefore = fake.stats.accepted;
        await page.locator('#node-config-api-auth-test').click();
        await page.waitForFunction(() => !/Invalid/.test(document.querySelector('#node-config-api-auth-test-result').textContent));
        const good = await waitTestResult();
        assert.match(good, /^✓ HTTP 200: credentials accepted\b/, good);
        assert.ok(!good.includes(token), 'the result text shows the secret');
        assert.strictEqual(fake.stats.accepted, acceptedBefore + 1);
        await snap('config-dialog-test-ok');
    });

    it('saves the config node, fills in the http request node and deploys; the runtime has no clear secret in its flows', async function () {
        await page.locator('#node-config-dialog-ok').click();
        await page.locator('#node-config-input-scheme').waitFor({ state: 'detached' });
        const cfgId = await page.locator('#node-input-config').inputValue();
        assert.ok(cfgId && cfgId !== '_ADD_', 'the new config node is not selected in the auth node');
        ids.cfg = cfgId;
        await page.fill('#node-input-name', '');
        await page.locator('#node-dialog-ok').click();
        await page.locator('#node-input-config').waitFor({ state: 'detached' });

        // the newcomer's path: the http request node's URL stays empty, the inject node gives a
        // path (msg.url = /bridge) that the auth node puts under the credentials' Base URL
        await openNode(ids.http);
        assert.strictEqual(await page.locator('#node-input-url').inputValue(), '');
        await page.selectOption('#node-input-ret', 'obj');
        await page.locator('#node-dialog-ok').click();
        await page.locator('#node-input-url').waitFor({ state: 'detached' });
        await openNode(ids.inject);
        await page.locator('#node-input-property-container-div .red-ui-editableList-addButton, .red-ui-editableList-addButton').first().click();
        const row = page.locator('#node-input-property-container > li').last();
        // the property row's name and value are typedInputs: set them as the editor's own code does
        await row.locator('input.node-input-prop-property-name').evaluate((el) => $(el).typedInput('value', 'url'));
        await row.locator('input.node-input-prop-property-value').evaluate((el, v) => { $(el).typedInput('type', 'str'); $(el).typedInput('value', v); }, '/bridge');
        await page.locator('#node-dialog-ok').click();
        await page.locator('#node-input-property-container').waitFor({ state: 'detached' });

        await page.locator('#red-ui-header-button-deploy').click();
        await page.locator('.red-ui-notification', { hasText: /deployed/i }).first().waitFor({ state: 'visible' });
        await page.mouse.click(900, 700);
        await snap('flow-deployed');

        const flows = await red.api.getFlows();
        const text = JSON.stringify(flows);
        assert.ok(!text.includes(token), 'GET /flows shows the token');
        const cfg = flows.flows.find((n) => n.id === ids.cfg);
        assert.ok(cfg, 'the config node is not in the deployed flows');
        assert.strictEqual(cfg.type, 'api-auth-config');
        assert.strictEqual(cfg.scheme, 'tedee');
        assert.strictEqual(cfg.mode, 'encrypted');
        assert.strictEqual(cfg.baseUrl, fake.url + '/v1.0');
        const auth = flows.flows.find((n) => n.id === ids.auth);
        assert.strictEqual(auth.config, ids.cfg);
        for (const f of fs.readdirSync(red.userDir).filter((x) => /^flows.*\.json$/.test(x))) {
            assert.ok(!fs.readFileSync(path.join(red.userDir, f), 'utf8').includes(token), `${f} contains the clear token`);
        }
        assert.ok(fs.readdirSync(red.userDir).some((x) => /^flows.*_cred\.json$/.test(x)), 'no credentials file was written');
    });

    it('pressing the inject button sends an authenticated request; the answer shows in the Debug sidebar', async function () {
        const before = fake.stats.accepted;
        await page.locator(`[id="${ids.inject}"] .red-ui-flow-node-button`).click();
        await page.evaluate(() => RED.sidebar.show('debug'));
        const msg = page.locator('.red-ui-debug-msg').first();
        await msg.waitFor({ state: 'visible' });
        await page.waitForFunction(() => /Fake bridge/.test(document.querySelector('#red-ui-sidebar-content').textContent));
        assert.strictEqual(fake.stats.accepted, before + 1, JSON.stringify(fake.stats));
        assert.strictEqual(fake.stats.log[fake.stats.log.length - 1].path, '/v1.0/bridge', 'msg.url /bridge under the Base URL');
        const text = await page.locator('#red-ui-sidebar-content').textContent();
        assert.ok(!text.includes(token), 'the debug sidebar shows the token');
        // what the user sees under the auth node: a green "ok" (it started grey, with the API's name)
        await page.waitForFunction((id) => /\bok\b/.test((document.querySelector(`[id="${id}"] .red-ui-flow-node-status-label`) || {}).textContent || ''), ids.auth);
        await tidyForPicture();
        docsImage(await snap('flow-debug'), 'flow.png');
    });

    it('reopened, the secret is stored and shown hidden (__PWRD__), and Test works with the stored secret', async function () {
        await openNode(ids.auth);
        assert.strictEqual(await page.locator('#node-input-config').inputValue(), ids.cfg);
        await page.locator('#node-input-btn-config-edit').click(); // the pencil
        await page.locator('#node-config-input-scheme').waitFor({ state: 'visible' });
        assert.strictEqual(await page.locator('#node-config-input-scheme').inputValue(), 'tedee');
        assert.strictEqual(await page.locator('#node-config-input-mode').inputValue(), 'encrypted');
        const tok = page.locator('#node-config-input-token');
        assert.strictEqual(await tok.getAttribute('type'), 'password');
        const v = await tok.inputValue();
        assert.notStrictEqual(v, token, 'the clear token came back to the browser');
        assert.strictEqual(v, '__PWRD__');
        assert.ok(!(await page.content()).includes(token), 'the page contains the clear token');
        const before = fake.stats.accepted;
        await page.locator('#node-config-api-auth-test').click();
        const r = await waitTestResult();
        assert.match(r, /^✓ HTTP 200: credentials accepted\b/, r);
        assert.strictEqual(fake.stats.accepted, before + 1);
        await tidyForPicture();
        docsImage(await snap('config-dialog-stored'), 'config-dialog.png');
        await page.locator('#node-config-dialog-cancel').click();
        await page.locator('#node-dialog-cancel').click();
    });

    it('every example imports into the current flow on a grid: no node at negative or overlapping coordinates', async function () {
        const dir = path.join(__dirname, '..', 'examples');
        for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
            const nodes = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
            assert.ok(!nodes.some((n) => n.type === 'tab'), `${file} carries its own tab (Import to: current flow would be ignored)`);
            // what Import → Examples does with "Import to: current flow", on a fresh tab
            const boxes = await page.evaluate((flow) => {
                RED.workspaces.add();
                const before = new Set(RED.nodes.filterNodes({ z: RED.workspaces.active() }).map((n) => n.id));
                RED.view.importNodes(JSON.parse(JSON.stringify(flow)), { generateIds: true });
                RED.view.redraw(true);
                return RED.nodes.filterNodes({ z: RED.workspaces.active() }).filter((n) => !before.has(n.id))
                    .map((n) => ({ type: n.type, label: (n.name || n.type), x: n.x - n.w / 2, y: n.y - n.h / 2, w: n.w, h: n.h }));
            }, nodes);
            assert.strictEqual(boxes.length, nodes.filter((n) => n.x !== undefined).length, `${file}: every flow node landed on the current tab`);
            for (const b of boxes) assert.ok(b.x >= 0 && b.y >= 0, `${file}: ${b.type} "${b.label}" starts off the canvas at ${Math.round(b.x)},${Math.round(b.y)}`);
            for (let i = 0; i < boxes.length; i++) {
                for (let j = i + 1; j < boxes.length; j++) {
                    const a = boxes[i];
                    const c = boxes[j];
                    const overlap = a.x < c.x + c.w && c.x < a.x + a.w && a.y < c.y + c.h && c.y < a.y + a.h;
                    assert.ok(!overlap, `${file}: ${a.type} "${a.label}" overlaps ${c.type} "${c.label}"`);
                }
            }
            await snap('example-' + file.replace(/\.json$/, ''));
        }
    });

    it('every label and option of the config dialog is translated (no raw message keys)', function () {
        assert.ok(sawDialog, 'the config dialog step did not run');
        assert.deepStrictEqual([...untranslated], [], 'untranslated message keys shown in the config dialog');
    });

    it('the browser saw no script errors', function () {
        assert.deepStrictEqual(pageErrors, []);
    });
});
