'use strict';
// The REAL Actyx node (`ax` 2.18.2, Apache-2.0, PROTOCOLS.md §5) for tests: no fake stands in for
// a server that can run here.
//
//   const axNode = require('./support/actyx-node');
//   before(async function () { ax = await axNode.startOrSkip(this); });   // see below
//   ax.url        'http://127.0.0.1:PORT' (the node API; same port after restart())
//   ax.nodeId     GET /api/v2/node/id (base64 of the node's Ed25519 key, no padding)
//   ax.version    'ax 2.18.2-…' (ax --version)
//   ax.startMs    how long the last start took (spawn → GET /api/v2/node/id answers 200)
//   ax.lastRestartMs  the last restart(), stop included
//   await ax.restart()   stop and start again in the SAME working dir and on the same ports:
//                        tokens issued before it get 401 ERR_TOKEN_EXPIRED (`cycles` + 1)
//   await ax.stop()      kill the process group, remove the temp working dir
//   ax.logs()            the node's stdout+stderr (last 256 KB), for error messages
//   ax.authLines()       the node's own log lines for issued tokens ("AUTH: Successfully …")
//
// Where the binary comes from: $AX_BIN (a path to an `ax` binary), else the script
// $ACTYX_AX_NODE, else shared/actyx/ax-node found beside the repo (the repo's parent directory,
// or the nearest ancestor holding shared/actyx/ax-node — a git worktree sits one level deeper).
// The script prints the path of the binary (it unpacks ax.gz once into ~/.cache/actyx-ax).
//
// Nothing is left behind: stop() kills the whole process group, and an exit hook kills every
// node still running (test failure, Ctrl-C, mocha --exit). Only one node runs at a time per
// process (ax also binds UDP 5353 for mDNS), so start() refuses a second one.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('./ports');

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT_REL = path.join('shared', 'actyx', 'ax-node');
const HOW_TO_GET = 'A real Actyx node (ax 2.18.2) is needed: put the project\'s shared/ directory beside the repo '
    + `(so that ${path.join('..', SCRIPT_REL)} exists), or set ACTYX_AX_NODE=/path/to/shared/actyx/ax-node, `
    + 'or AX_BIN=/path/to/ax (`shared/actyx/ax-node --build` builds it from the Apache-2.0 source kept beside it).';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const live = new Set();
let hooked = false;
let located = null;

function killGroup(child, signal = 'SIGKILL') {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    try { process.kill(-child.pid, signal); } catch (_) {
        try { child.kill(signal); } catch (_e) { /* already gone */ }
    }
}

function hookExit() {
    if (hooked) return;
    hooked = true;
    const cleanup = () => {
        for (const n of live) {
            killGroup(n.child);
            try { fs.rmSync(n.workDir, { recursive: true, force: true }); } catch (_) { /* best effort */ }
        }
        live.clear();
    };
    process.on('exit', cleanup);
    for (const sig of ['SIGINT', 'SIGTERM']) {
        process.once(sig, () => { cleanup(); process.exit(130); });
    }
}

/** The ax-node script: $ACTYX_AX_NODE, else shared/actyx/ax-node in the repo's parent or an ancestor. */
function findScript() {
    if (process.env.ACTYX_AX_NODE) return { script: process.env.ACTYX_AX_NODE, explicit: true };
    let dir = path.dirname(ROOT);
    for (;;) {
        const candidate = path.join(dir, SCRIPT_REL);
        if (fs.existsSync(candidate)) return { script: candidate, explicit: false };
        const up = path.dirname(dir);
        if (up === dir) return { script: null };
        dir = up;
    }
}

/**
 * Find the `ax` binary once per process. Resolves
 *   { bin, version, via }                       ready
 *   { missing: 'why, and how to get it' }       nothing to run (the caller skips or fails)
 * and throws when a binary/script was named or found but does not work (that is never skipped).
 */
function locate() {
    if (located) return located;
    let bin;
    let via;
    if (process.env.AX_BIN) {
        bin = process.env.AX_BIN;
        via = `AX_BIN=${bin}`;
        if (!fs.existsSync(bin)) throw new Error(`AX_BIN=${bin} does not exist. ${HOW_TO_GET}`);
    } else {
        const { script, explicit } = findScript();
        if (!script) {
            located = { missing: `no shared/actyx/ax-node found beside ${ROOT} (nor in an ancestor directory) and neither AX_BIN nor ACTYX_AX_NODE is set. ${HOW_TO_GET}` };
            return located;
        }
        if (!fs.existsSync(script)) {
            if (explicit) throw new Error(`ACTYX_AX_NODE=${script} does not exist. ${HOW_TO_GET}`);
            located = { missing: `${script} does not exist. ${HOW_TO_GET}` };
            return located;
        }
        // The script unpacks ax.gz (well under a second) or, without it, builds from source (~11 min).
        const r = spawnSync(script, [], { encoding: 'utf8', timeout: 30 * 60 * 1000, stdio: ['ignore', 'pipe', 'pipe'] });
        const out = (r.stdout || '').trim().split('\n').pop();
        if (r.error || r.status !== 0 || !out) {
            throw new Error(`${script} failed (${r.error ? r.error.message : 'exit ' + r.status}): ${(r.stderr || '').slice(-2000)}`);
        }
        bin = out;
        via = script;
    }
    const v = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30000 });
    if (v.error || v.status !== 0) {
        throw new Error(`${bin} --version failed (${v.error ? v.error.message : 'exit ' + v.status}): ${v.stderr || ''}`);
    }
    located = { bin, version: v.stdout.trim(), via };
    return located;
}

async function probe(url) {
    try {
        const res = await fetch(`${url}/api/v2/node/id`, { signal: AbortSignal.timeout(2000) });
        const text = await res.text();
        return res.status === 200 ? text.trim() : null;
    } catch (_) {
        return null;
    }
}

/**
 * Start a node on free loopback ports in a fresh temp working dir.
 * opts.readyTimeoutMs (default 30 s).
 */
async function start(opts = {}) {
    const where = locate();
    if (where.missing) throw new Error(where.missing);
    if (live.size) throw new Error('an Actyx node started by this process is still running: stop() it first (one node at a time: ax binds UDP 5353)');
    const readyTimeoutMs = opts.readyTimeoutMs || 30000;
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ax-node-'));
    let ports = null;
    let child = null;
    let log = '';
    let exited = null;
    const handle = { workDir, child: null };
    live.add(handle);
    hookExit();

    const keep = (d) => { log = (log + d).slice(-256 * 1024); };

    async function spawnNode() {
        log += `\n--- start ${new Date().toISOString()} ports ${JSON.stringify(ports)}\n`;
        const t0 = Date.now();
        child = spawn(where.bin, [
            'run', '--working-dir', workDir,
            '--bind-api', `127.0.0.1:${ports.api}`,
            '--bind-admin', `127.0.0.1:${ports.admin}`,
            '--bind-swarm', `127.0.0.1:${ports.swarm}`,
            '--log-color', '0',
        ], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: process.env.AX_RUST_LOG || 'info' } });
        handle.child = child;
        exited = null;
        const me = child;
        child.on('exit', (code, signal) => { if (me === child) exited = { code, signal }; });
        child.on('error', (err) => { if (me === child) exited = { error: err.message }; });
        child.stdout.on('data', keep);
        child.stderr.on('data', keep);
        const url = `http://127.0.0.1:${ports.api}`;
        const deadline = t0 + readyTimeoutMs;
        for (;;) {
            if (exited) return { ok: false, why: `ax exited early (${JSON.stringify(exited)})` };
            const id = await probe(url);
            if (id) return { ok: true, nodeId: id, ms: Date.now() - t0 };
            if (Date.now() > deadline) return { ok: false, why: `GET /api/v2/node/id did not answer 200 within ${readyTimeoutMs / 1000} s` };
            await sleep(50);
        }
    }

    async function halt(signal) {
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const gone = new Promise((r) => child.once('exit', r));
        killGroup(child, signal);
        const quick = await Promise.race([gone.then(() => true), sleep(10000).then(() => false)]);
        if (!quick) { killGroup(child, 'SIGKILL'); await Promise.race([gone, sleep(5000)]); }
    }

    /** Up to 3 tries: a port that was free a moment ago may have been taken since (fresh ports only on the first start). */
    async function up(freshPorts) {
        let last;
        for (let attempt = 1; attempt <= 3; attempt++) {
            if (freshPorts) ports = { api: await freePort(), admin: await freePort(), swarm: await freePort() };
            const r = await spawnNode();
            if (r.ok) return r;
            last = r.why;
            await halt('SIGKILL');
            await sleep(300 * attempt);
        }
        throw new Error(`the Actyx node (${where.bin}) did not start: ${last}\n${log.slice(-4000)}`);
    }

    let stopped = false;
    const node = {
        url: null,
        nodeId: null,
        version: where.version,
        bin: where.bin,
        workDir,
        startMs: null,
        /** the last restart() from SIGTERM to answering again, in ms */
        lastRestartMs: null,
        /** every start's duration in ms (first start, then each restart) */
        startTimes: [],
        get ports() { return { ...ports }; },
        logs: () => log,
        /** the node's own log lines for each token it issued */
        authLines: () => log.split('\n').filter((l) => /AUTH: Successfully authenticated and authorized/.test(l)),
        async restart() {
            if (stopped) throw new Error('restart() after stop()');
            const t0 = Date.now();
            await halt('SIGTERM');
            const r = await up(false);
            node.startMs = r.ms;
            node.startTimes.push(r.ms);
            node.lastRestartMs = Date.now() - t0;
            if (r.nodeId !== node.nodeId) throw new Error(`the node id changed across restart: ${node.nodeId} → ${r.nodeId}`);
            return node;
        },
        async stop() {
            if (stopped) return;
            stopped = true;
            await halt('SIGKILL');
            live.delete(handle);
            fs.rmSync(workDir, { recursive: true, force: true });
        },
    };
    try {
        const r = await up(true);
        node.url = `http://127.0.0.1:${ports.api}`;
        node.nodeId = r.nodeId;
        node.startMs = r.ms;
        node.startTimes.push(r.ms);
    } catch (err) {
        await node.stop();
        throw err;
    }
    return node;
}

/**
 * For a mocha `before` hook: start a node, or — when no binary can be found — FAIL in CI
 * (process.env.CI) and skip the suite loudly elsewhere. Never a silent pass.
 */
async function startOrSkip(ctx, opts) {
    ctx.timeout(Math.max(ctx.timeout(), 35 * 60 * 1000)); // the script may build ax from source once
    const where = locate();
    if (where.missing) {
        if (process.env.CI) throw new Error(`CI must test against a real Actyx node: ${where.missing}`);
        const bar = '!'.repeat(100);
        console.warn(`\n${bar}\n!! SKIPPED: tests against the real Actyx node — ${where.missing}\n${bar}\n`);
        ctx.skip();
    }
    const node = await start(opts);
    console.log(`      (real Actyx node: ${node.version}, up in ${node.startMs} ms at ${node.url})`);
    return node;
}

module.exports = { start, startOrSkip, locate, HOW_TO_GET };
