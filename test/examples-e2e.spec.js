'use strict';
// What a newcomer does: `npm start`, open the editor, press each example's inject buttons.
// This starts scripts/start.js (real Node-RED + real TimeTagger + a real OAuth 2.0 server + the
// fakes on their demo ports), listens to the editor's debug sidebar over the comms websocket, presses every inject
// of every example through the admin API, and checks what the sidebar shows.
const assert = require('node:assert');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const WebSocket = require('ws');
const { freePort } = require('./support/ports');

const root = path.resolve(__dirname, '..');

describe('npm start: every example flow works against the demo servers', function () {
    this.timeout(180000);
    let child;
    let output = '';
    let base;
    let ws;
    let flows;
    const debug = [];
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-auth-demo-'));

    before(async function () {
        const port = await freePort();
        base = `http://127.0.0.1:${port}/`;
        child = spawn(process.execPath, [path.join(root, 'scripts', 'start.js'), '--port', String(port)], {
            cwd: root, env: { ...process.env, API_AUTH_DEMO_DIR: userDir }, stdio: ['ignore', 'pipe', 'pipe'],
        });
        child.stdout.on('data', (d) => { output += d; });
        child.stderr.on('data', (d) => { output += d; });
        const end = Date.now() + 170000;
        while (!output.includes('Node-RED editor:')) {
            if (child.exitCode !== null || Date.now() > end) throw new Error('npm start did not come up:\n' + output);
            await new Promise((r) => setTimeout(r, 200));
        }
        ws = new WebSocket(base.replace('http', 'ws') + 'comms');
        await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
        ws.send(JSON.stringify({ subscribe: 'debug' }));
        ws.on('message', (data) => {
            for (const m of [].concat(JSON.parse(String(data)))) if (m.topic === 'debug') debug.push(m.data);
        });
        flows = await (await fetch(base + 'flows')).json();
    });

    after(async function () {
        if (ws) ws.close();
        if (child && child.exitCode === null) {
            const gone = new Promise((r) => child.once('exit', r));
            child.kill('SIGINT');
            await gone;
        }
        fs.rmSync(userDir, { recursive: true, force: true });
    });

    it('prints where to open the editor and deploys one tab per example', function () {
        assert.match(output, /Node-RED editor: http:\/\/127\.0\.0\.1:\d+\//);
        const examples = fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.json'));
        const tabs = flows.filter((n) => n.type === 'tab');
        assert.strictEqual(tabs.length, examples.length);
        assert.ok(flows.some((n) => n.type === 'api-auth') && flows.some((n) => n.type === 'api-auth-verify'));
    });

    for (const example of fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.json')).sort()) {
        it(`${example}: every inject ends in a successful response, no error`, async function () {
            const nodes = JSON.parse(fs.readFileSync(path.join(root, 'examples', example), 'utf8'));
            const ids = new Set(nodes.map((n) => n.id));
            const injects = nodes.filter((n) => n.type === 'inject');
            assert.ok(injects.length > 0, 'the example has inject buttons');
            const debugIds = new Set(nodes.filter((n) => n.type === 'debug').map((n) => n.id));
            const errorIds = new Set(nodes.filter((n) => n.type === 'debug' && /error|refused/i.test(n.name || '')).map((n) => n.id));
            for (const inject of injects) {
                const before = debug.length;
                const r = await fetch(base + 'inject/' + inject.id, { method: 'POST' });
                assert.strictEqual(r.status, 200, `inject ${inject.name || inject.id}`);
                // wait until the flow settles: a debug message from this example, then a quiet moment
                const end = Date.now() + 20000;
                let seen = 0;
                for (;;) {
                    await new Promise((res) => setTimeout(res, 300));
                    const mine = debug.slice(before).filter((d) => debugIds.has(d.id));
                    if (mine.length && mine.length === seen) break;
                    seen = mine.length;
                    if (Date.now() > end) break;
                }
                const mine = debug.slice(before).filter((d) => ids.has(d.id));
                if (process.env.SHOW_DEBUG) console.log(mine.map((d) => String(d.msg).slice(0, 200)));
                const label = `${example} / inject "${inject.name || inject.id}"`;
                assert.ok(mine.length > 0, `${label}: nothing reached the debug sidebar`);
                const errors = mine.filter((d) => errorIds.has(d.id));
                assert.deepStrictEqual(errors.map((d) => String(d.msg).slice(0, 300)), [], `${label}: errors shown`);
                // node.warn / node.error of any node of the example shows up with a level
                const warnings = mine.filter((d) => d.level !== undefined);
                assert.deepStrictEqual(warnings.map((d) => String(d.msg).slice(0, 300)), [], `${label}: warnings shown`);
                let good = 0;
                for (const d of mine) {
                    const text = String(d.msg);
                    const status = /"statusCode":\s*(\d+)/.exec(text);
                    if (status) assert.ok(Number(status[1]) < 300, `${label}: HTTP ${status[1]}: ${text.slice(0, 300)}`);
                    if ((status && Number(status[1]) < 300) || /^\{"ok":true/.test(text)) good += 1;
                }
                assert.ok(good > 0, `${label}: no successful response shown: ${mine.map((d) => String(d.msg).slice(0, 200))}`);
            }
        });
    }

    it('Ctrl-C stops Node-RED and every demo server', async function () {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        await gone;
        for (const port of [8080, 18002, 18003, 18004, 4454, 18005, Number(new URL(base).port)]) {
            await assert.rejects(fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) }), `port ${port} still answers`);
        }
    });
});
