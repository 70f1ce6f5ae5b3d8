'use strict';
/* global RED, document -- page.evaluate callbacks run in the browser */
// The API credentials dialog's "Verify nodes" section in a real browser (chromium +
// playwright-core) against a real Node-RED with a real redis-server: Replay memory defaults to
// "in this Node-RED" and hides the Redis rows; "in Redis" shows Redis URL (a password input) and
// Key prefix; a bad URL is marked; saved with ${REDIS_URL} and deployed, the runtime has
// replayStore/redisPrefix in flows.json but no URL, the verify endpoint works through Redis, and
// reopened the URL is stored (__PWRD__).
const assert = require('node:assert');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const nr = require('./support/nodered-process');
const redisFixture = require('./support/redis');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];
const { tedeeKey } = require('./fakes/tedee'); // node:crypto, independent of the core

describe('editor: the API credentials dialog keeps the verify nodes\' memory in Redis (real browser, real Redis)', function () {
    this.timeout(120000);
    let red, redis, browser, page;
    const token = 'EditorRedis' + crypto.randomBytes(6).toString('hex');
    const password = 'editor p@ss ' + crypto.randomBytes(4).toString('hex');
    const pageErrors = [];

    before(async function () {
        if (!fs.existsSync(CHROMIUM)) {
            if (process.env.CI) throw new Error(`${CHROMIUM} is missing: run .ci/install-browser.sh`);
            this.skip();
        }
        redis = await redisFixture.start({ password });
        red = await nr.start({ link: true, env: { EDITOR_REDIS_URL: redis.url, EDITOR_TEDEE_TOKEN: token } });
        // a protected endpoint whose credentials node is still "in this Node-RED"
        await red.api.deploy([
            { id: 'tab', type: 'tab', label: 'verify' },
            { id: 'cfg', type: 'api-auth-config', name: 'door', scheme: 'tedee', mode: 'encrypted', placement: 'header', credentials: { token: '${EDITOR_TEDEE_TOKEN}' } },
            { id: 'in', type: 'http in', z: 'tab', url: '/door', method: 'get', x: 120, y: 80, wires: [['verify']] },
            { id: 'verify', type: 'api-auth-verify', z: 'tab', config: 'cfg', windowSecs: 30, respond: true, penalty: 0, x: 320, y: 80, wires: [['res'], []] },
            { id: 'res', type: 'http response', z: 'tab', statusCode: '', headers: {}, x: 520, y: 80, wires: [] },
        ]);
        // in this Node-RED's memory for now: the endpoint works
        const first = tedeeKey(token, Date.now() + 1000); // after the memory's creation (its floor)
        let r0;
        for (const end = Date.now() + 10000; Date.now() < end;) {
            r0 = await red.api.get('door', { api_token: first });
            if (r0.status !== 404) break;
            await new Promise((r) => setTimeout(r, 100));
        }
        assert.strictEqual(r0.status, 200, 'the deployed endpoint before the edit');
        const { chromium } = require('playwright-core');
        browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
        page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        page.setDefaultTimeout(15000);
        page.on('pageerror', (e) => pageErrors.push(e.message));
        await page.goto(red.url);
        await page.locator('.red-ui-palette-node[data-palette-type="api-auth-verify"]').first().waitFor({ state: 'attached', timeout: 30000 });
        // the deployed flows are loaded (editing before that would be overwritten by the load)
        await page.locator('[id="verify"]').first().waitFor({ state: 'attached', timeout: 30000 });
        await page.waitForFunction(() => RED.nodes.node('cfg') && RED.nodes.node('verify') && !RED.nodes.dirty(), null, { polling: 100 });
        await page.waitForTimeout(500);
    });

    after(async function () {
        if (browser) await browser.close().catch(() => {});
        if (red) await red.stop();
        if (redis) await redis.stop();
    });

    const shown = (row) => page.locator(`.api-auth-row-${row}`).isVisible();

    it('memory by default (Redis rows hidden); "in Redis" shows a password-type URL and the prefix; a bad URL is marked', async function () {
        await page.evaluate(() => RED.editor.editConfig('', 'api-auth-config', 'cfg'));
        await page.locator('#node-config-input-replayStore').waitFor({ state: 'visible' });
        assert.strictEqual(await page.locator('#node-config-input-replayStore').inputValue(), 'memory');
        assert.strictEqual(await shown('redisUrl'), false);
        assert.strictEqual(await shown('redisPrefix'), false);
        const options = await page.locator('#node-config-input-replayStore option').evaluateAll((os) => os.map((o) => [o.value, o.textContent.trim()]));
        assert.deepStrictEqual(options.map((o) => o[0]), ['memory', 'redis']);
        for (const [, text] of options) assert.ok(text && !/^api-auth/.test(text), 'untranslated option: ' + text);
        await page.selectOption('#node-config-input-replayStore', 'redis');
        assert.strictEqual(await shown('redisUrl'), true);
        assert.strictEqual(await shown('redisPrefix'), true);
        assert.strictEqual(await page.locator('#node-config-input-redisUrl').getAttribute('type'), 'password');
        assert.strictEqual(await page.locator('#node-config-input-redisPrefix').inputValue(), 'api-auth:');
        const url = page.locator('#node-config-input-redisUrl');
        await url.fill('http://not-redis');
        await url.dispatchEvent('change');
        await page.waitForFunction(() => document.querySelector('#node-config-input-redisUrl').classList.contains('input-error'), null, { polling: 100 });
        await url.fill('${EDITOR_REDIS_URL}');
        await url.dispatchEvent('change');
        await page.waitForFunction(() => !document.querySelector('#node-config-input-redisUrl').classList.contains('input-error'), null, { polling: 100 });
        await page.fill('#node-config-input-redisPrefix', 'door:');
        const labels = await page.locator('#node-config-dialog-edit-form label:visible').evaluateAll((els) => els.map((e) => e.textContent.trim()));
        assert.deepStrictEqual(labels.filter((x) => /^api-auth(-config)?\.[\w.]+$/.test(x)), [], 'untranslated labels');
    });

    it('saved and deployed: flows.json has replayStore/redisPrefix but no URL; the endpoint records in Redis; reopened the URL is stored', async function () {
        await page.locator('#node-config-dialog-ok').click();
        await page.locator('#node-config-input-replayStore').waitFor({ state: 'detached' });
        // the editor saves when the tray has closed; poll (requestAnimationFrame may not run headless)
        await page.waitForFunction(() => RED.nodes.dirty() && RED.nodes.node('cfg').replayStore === 'redis', null, { polling: 100 });
        await page.waitForTimeout(300);
        await page.locator('#red-ui-header-button-deploy').click();
        await page.waitForFunction(() => !RED.nodes.dirty(), null, { polling: 100 });

        const flows = await red.api.getFlows();
        const cfg = flows.flows.find((n) => n.id === 'cfg');
        assert.strictEqual(cfg.replayStore, 'redis');
        assert.strictEqual(cfg.redisPrefix, 'door:');
        const onDisk = fs.readFileSync(path.join(red.userDir, 'flows.json'), 'utf8');
        for (const text of [JSON.stringify(flows), onDisk]) {
            for (const s of ['EDITOR_REDIS_URL', redis.url, password, token]) assert.ok(!text.includes(s), 'flows carry ' + s.slice(0, 12));
        }
        // the endpoint now keeps its memory in Redis (once the flow has restarted and connected:
        // 404 while the http in route is re-registered, 503 while connecting)
        let r;
        const end = Date.now() + 10000;
        const key = tedeeKey(token, Date.now() + 2000);
        do {
            r = await red.api.get('door', { api_token: key });
            if (r.status === 503 || r.status === 404) await new Promise((res) => setTimeout(res, 100));
        } while ((r.status === 503 || r.status === 404) && Date.now() < end);
        assert.strictEqual(r.status, 200, `${r.status} ${await r.text()}\n${red.logs().slice(-1500)}`);
        assert.strictEqual((await red.api.get('door', { api_token: key })).status, 401);
        const keys = (await redis.cli(['--scan', '--pattern', 'door:replay:*'])).split('\n').filter(Boolean);
        assert.strictEqual(keys.length, 1);

        await page.evaluate(() => RED.editor.editConfig('', 'api-auth-config', 'cfg'));
        await page.locator('#node-config-input-replayStore').waitFor({ state: 'visible' });
        assert.strictEqual(await page.locator('#node-config-input-replayStore').inputValue(), 'redis');
        assert.strictEqual(await page.locator('#node-config-input-redisUrl').inputValue(), '__PWRD__');
        assert.strictEqual(await shown('redisUrl'), true);
        await page.locator('#node-config-dialog-cancel').click();
        assert.deepStrictEqual(pageErrors, []);
    });
});
