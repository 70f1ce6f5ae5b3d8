'use strict';
// The REAL TimeTagger server (PyPI timetagger==26.1.3) for tests — PROTOCOLS.md §1 says
// no fake may stand in for a server that can run here.
//
//   const tt = await require('./support/timetagger').start();
//   tt.base      'http://127.0.0.1:PORT/timetagger/api/v2/'   (trailing slash)
//   tt.root      'http://127.0.0.1:PORT'
//   tt.port, tt.username, tt.password
//   tt.webToken  web token (from POST {api}/bootstrap_authentication, base64 JSON body)
//   tt.apiToken  API token (GET {api}/apitoken with header `authtoken: <webToken>`)
//   await tt.resetApiToken()  -> new API token; the old one then gets
//                               401 "unauthorized: The apitoken is revoked (seed does not match)"
//   await tt.close()          kills the server's process group and removes its data dir
//
// Each start() runs its own server (own port, own fresh TIMETAGGER_DATADIR). Servers still
// running when the Node process exits are killed by an exit hook.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ensureVenv } = require('./python.js');
const { freePort } = require('./ports');

const live = new Set();
let hooked = false;

function killGroup(child) {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    try { process.kill(-child.pid, 'SIGKILL'); } catch (_) {
        try { child.kill('SIGKILL'); } catch (_e) { /* already gone */ }
    }
}

function hookExit() {
    if (hooked) return;
    hooked = true;
    const cleanup = () => { for (const s of live) killGroup(s.child); };
    process.on('exit', cleanup);
    for (const sig of ['SIGINT', 'SIGTERM']) {
        process.once(sig, () => { cleanup(); process.exit(130); });
    }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function fetchText(url, init = {}) {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
    return { status: res.status, text: await res.text() };
}

async function start(opts = {}) {
    const py = ensureVenv();
    const username = opts.username || 'tester';
    const password = opts.password || 'tt-pass-' + require('node:crypto').randomBytes(6).toString('hex');
    const hash = execFileSync(py, ['-c',
        'import sys, bcrypt; print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(4)).decode())',
        password], { encoding: 'utf8', timeout: 30000 }).trim();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-data-'));
    const port = opts.port || await freePort();
    const root = `http://127.0.0.1:${port}`;
    const base = `${root}/timetagger/api/v2/`;

    let log = '';
    const child = spawn(py, ['-m', 'timetagger'], {
        detached: true, // own process group: close() kills the whole group
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
            ...process.env,
            TIMETAGGER_BIND: `127.0.0.1:${port}`,
            TIMETAGGER_DATADIR: dataDir,
            TIMETAGGER_CREDENTIALS: `${username}:${hash}`,
            TIMETAGGER_LOG_LEVEL: 'warning',
        },
    });
    const keep = (d) => { log = (log + d).slice(-4000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const handle = { child };
    live.add(handle);
    hookExit();

    let closed = false;
    async function close() {
        if (closed) return;
        closed = true;
        live.delete(handle);
        if (child.exitCode === null && child.signalCode === null) {
            const gone = new Promise((r) => child.once('exit', r));
            killGroup(child);
            await Promise.race([gone, sleep(5000)]);
        }
        fs.rmSync(dataDir, { recursive: true, force: true });
    }

    try {
        // Wait for GET /timetagger/status -> "ok" (about 2 s; give it 30 s).
        const deadline = Date.now() + 30000;
        for (;;) {
            if (child.exitCode !== null || child.signalCode !== null) {
                throw new Error(`timetagger exited early (code ${child.exitCode}): ${log}`);
            }
            try {
                const r = await fetchText(`${root}/timetagger/status`);
                if (r.status === 200 && r.text.trim() === 'ok') break;
            } catch (_) { /* not listening yet */ }
            if (Date.now() > deadline) throw new Error(`timetagger did not answer within 30 s: ${log}`);
            await sleep(200);
        }

        const body = Buffer.from(JSON.stringify({ method: 'usernamepassword', username, password })).toString('base64');
        const boot = await fetchText(`${base}bootstrap_authentication`, { method: 'POST', body });
        if (boot.status !== 200) throw new Error(`bootstrap_authentication: ${boot.status} ${boot.text}`);
        const webToken = JSON.parse(boot.text).token;

        const getApiToken = async (reset) => {
            const r = await fetchText(`${base}apitoken${reset ? '?reset=1' : ''}`, { headers: { authtoken: webToken } });
            if (r.status !== 200) throw new Error(`apitoken${reset ? '?reset=1' : ''}: ${r.status} ${r.text}`);
            return JSON.parse(r.text).token;
        };
        const server = {
            base, root, port, username, password, webToken,
            apiToken: await getApiToken(false),
            dataDir,
            async resetApiToken() {
                server.apiToken = await getApiToken(true);
                return server.apiToken;
            },
            close,
            get log() { return log; },
        };
        return server;
    } catch (err) {
        await close();
        throw err;
    }
}

module.exports = { start };
