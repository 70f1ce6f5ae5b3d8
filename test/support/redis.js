'use strict';
// A REAL redis-server (Debian package `redis-server`; .ci/install-redis.sh installs it) for
// tests: its own free 127.0.0.1 port, its own temp dir, no persistence (--save '' --appendonly
// no), optional password (--requirepass).
//
//   const redis = await require('./support/redis').start({ password: 'p@ss word' });
//   redis.url       'redis://127.0.0.1:PORT', with a password 'redis://:p%40ss%20word@127.0.0.1:PORT'
//                   (percent-encoded: the npm `redis` client decodes it)
//   redis.port, redis.password, redis.dir, redis.running
//   await redis.cli(['SET', 'k', 'v'])   -> redis-cli's stdout, trimmed (rejects when redis-cli
//                   exits non-zero, e.g. nothing listens); authenticates by itself
//   await redis.stop()    graceful stop (SIGTERM, SIGKILL after 5 s); no process, no temp dir left
//   await redis.kill()    SIGKILL, like a crash; no process, no temp dir left
//   await redis.restart({ empty: true })   stops it if it runs, then starts a server on the SAME
//                   port with an empty dataset (the default: what this no-persistence server
//                   does on any restart)
//   await redis.restart({ empty: false })  the running server saves (SHUTDOWN SAVE) to its temp
//                   dir and the new one loads that file: same port, same data
//
// start(opts): password, port (default a free one), args (more redis-server arguments),
// bin (default 'redis-server' on PATH; REDIS_SERVER overrides), timeoutMs (default 10000).
// Servers still running when the Node process exits are killed by an exit hook (and on SIGINT /
// SIGTERM, which then end the process unless the program handles them itself).
const { spawn, execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('./ports');

const live = new Set();
let hooked = false;

function hookExit() {
    if (hooked) return;
    hooked = true;
    const cleanup = () => {
        for (const child of live) {
            try { child.kill('SIGKILL'); } catch (_) { /* already gone */ }
        }
    };
    process.on('exit', cleanup);
    for (const sig of ['SIGINT', 'SIGTERM']) {
        const onSignal = () => {
            cleanup();
            // exit only when nobody else handles the signal (scripts/start.js stops its own way)
            if (process.listenerCount(sig) === 0) process.exit(130);
        };
        process.once(sig, onSignal);
    }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function running(child) {
    return !!child && child.exitCode === null && child.signalCode === null;
}

async function start(opts = {}) {
    const bin = opts.bin || process.env.REDIS_SERVER || 'redis-server';
    const password = opts.password || null;
    const port = opts.port || await freePort();
    const timeoutMs = opts.timeoutMs || 10000;
    let dir = null;
    let child = null;
    let log = '';

    const auth = password ? `:${encodeURIComponent(password)}@` : '';
    const url = `redis://${auth}127.0.0.1:${port}`;

    async function launch() {
        if (!dir || !fs.existsSync(dir)) dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-fixture-'));
        const args = [
            '--port', String(port),
            '--bind', '127.0.0.1',
            '--save', '',
            '--appendonly', 'no',
            '--dir', dir,
            '--dbfilename', 'dump.rdb',
            '--daemonize', 'no',
            '--logfile', '',
            '--loglevel', 'notice',
            ...(password ? ['--requirepass', password] : []),
            ...(opts.args || []),
        ];
        log = '';
        const c = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
        child = c;
        live.add(c);
        hookExit();
        const exited = new Promise((resolve) => c.once('exit', resolve));
        c.once('exit', () => live.delete(c));
        let ready = false;
        const keep = (d) => {
            log = (log + d).slice(-8000);
            if (/Ready to accept connections/.test(log)) ready = true;
        };
        c.stdout.on('data', keep);
        c.stderr.on('data', keep);
        let spawnError = null;
        c.once('error', (err) => { spawnError = err; });
        const deadline = Date.now() + timeoutMs;
        while (!ready) {
            if (spawnError) throw new Error(`could not run ${bin}: ${spawnError.message} (install it: bash .ci/install-redis.sh)`);
            if (!running(c)) {
                await exited;
                throw new Error(`redis-server exited early (code ${c.exitCode}, signal ${c.signalCode}):\n${log}`);
            }
            if (Date.now() > deadline) {
                c.kill('SIGKILL');
                await exited;
                throw new Error(`redis-server not ready within ${timeoutMs} ms:\n${log}`);
            }
            await sleep(20);
        }
    }

    async function halt(signal) {
        const c = child;
        if (running(c)) {
            const gone = new Promise((resolve) => c.once('exit', resolve));
            c.kill(signal);
            const t = setTimeout(() => { try { c.kill('SIGKILL'); } catch (_) { /* gone */ } }, 5000);
            await gone;
            clearTimeout(t);
        }
        child = null;
    }

    function removeDir() {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
        dir = null;
    }

    function cli(args, { timeoutMs: t = 10000 } = {}) {
        const argv = ['-h', '127.0.0.1', '-p', String(port), ...(password ? ['--no-auth-warning', '-a', password] : []), ...args];
        return new Promise((resolve, reject) => {
            execFile('redis-cli', argv, { timeout: t }, (err, stdout, stderr) => {
                if (err) {
                    err.message += `\n${stdout}${stderr}`;
                    reject(err);
                } else resolve(stdout.trim());
            });
        });
    }

    const handle = {
        url,
        port,
        password,
        get dir() { return dir; },
        get running() { return running(child); },
        get log() { return log; },
        cli,
        async stop() {
            await halt('SIGTERM');
            removeDir();
        },
        async kill() {
            await halt('SIGKILL');
            removeDir();
        },
        async restart({ empty = true } = {}) {
            if (!empty && running(child)) {
                const c = child;
                const gone = new Promise((resolve) => c.once('exit', resolve));
                // The reply is lost (the server exits): redis-cli may exit non-zero; the file is what counts.
                await cli(['SHUTDOWN', 'SAVE']).catch(() => {});
                const t = setTimeout(() => { try { c.kill('SIGKILL'); } catch (_) { /* gone */ } }, 5000);
                await gone;
                clearTimeout(t);
                child = null;
                if (!fs.existsSync(path.join(dir, 'dump.rdb'))) throw new Error(`redis-server did not save before restart:\n${log}`);
            } else {
                await halt('SIGTERM');
                removeDir();
            }
            await launch();
        },
    };

    try {
        await launch();
    } catch (err) {
        await halt('SIGKILL');
        removeDir();
        throw err;
    }
    return handle;
}

module.exports = { start };
