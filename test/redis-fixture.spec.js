'use strict';
// The real redis-server of test/support/redis.js, checked with the official npm `redis` client:
// start, SET NX PX (the lock primitive), password URLs, stop -> connection refused, restart on
// the same port (empty, or with its data), kill. No redis-server process is left behind.
const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const { createClient } = require('redis');
const redisFixture = require('./support/redis');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Connects with reconnection off, so a refused connection is an error and not a retry loop. */
async function connect(url) {
    const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 5000 } });
    client.on('error', () => { /* surfaced by the awaited commands */ });
    await client.connect();
    return client;
}

/** Resolves 'refused' when nothing listens on the port, 'open' otherwise. */
function probe(port) {
    return new Promise((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1');
        s.once('connect', () => { s.destroy(); resolve('open'); });
        s.once('error', (err) => (err.code === 'ECONNREFUSED' ? resolve('refused') : reject(err)));
    });
}

function pidsOnPort(port) {
    let out;
    try { out = execFileSync('pgrep', ['-af', 'redis-server'], { encoding: 'utf8' }); } catch (_) { return []; }
    return out.split('\n').filter((l) => l.includes(`:${port}`) || l.includes(` ${port}`) || l.includes(`--port ${port}`));
}

describe('Redis test server (test/support/redis.js, real redis-server)', function () {
    this.timeout(60000);
    const started = [];
    const clients = [];
    async function startRedis(opts) {
        const r = await redisFixture.start(opts);
        started.push(r);
        return r;
    }
    async function client(url) {
        const c = await connect(url);
        clients.push(c);
        return c;
    }

    afterEach(async () => {
        for (const c of clients.splice(0)) {
            try { c.destroy(); } catch (_) { /* closed */ }
        }
    });
    after(async () => {
        for (const r of started) await r.stop();
        for (const r of started) assert.deepEqual(pidsOnPort(r.port), [], `redis-server left on port ${r.port}`);
    });

    it('starts on a free 127.0.0.1 port without persistence; PING, SET/GET; redis-cli too', async () => {
        const r = await startRedis();
        assert.equal(r.url, `redis://127.0.0.1:${r.port}`);
        assert.equal(r.running, true);
        const c = await client(r.url);
        assert.equal(await c.ping(), 'PONG');
        assert.equal(await c.set('k', 'v'), 'OK');
        assert.equal(await c.get('k'), 'v');
        assert.equal(await r.cli(['GET', 'k']), 'v');
        const cfg = await c.configGet('*');
        assert.equal(cfg.save, '');
        assert.equal(cfg.appendonly, 'no');
        assert.equal(cfg.bind, '127.0.0.1');
        assert.equal(cfg.dir, fs.realpathSync(r.dir));
        assert.equal(cfg.requirepass, '');
    });

    it('SET NX PX: only the first setter wins; the key expires after PX ms; PTTL counts down', async () => {
        const r = await startRedis();
        const c = await client(r.url);
        assert.equal(await c.set('lock', 'owner-a', { NX: true, PX: 300 }), 'OK');
        assert.equal(await c.set('lock', 'owner-b', { NX: true, PX: 300 }), null);
        assert.equal(await c.get('lock'), 'owner-a');
        const pttl = await c.pTTL('lock');
        assert.ok(pttl > 0 && pttl <= 300, `PTTL ${pttl}`);
        await sleep(400);
        assert.equal(await c.get('lock'), null);
        assert.equal(await c.pTTL('lock'), -2);
        assert.equal(await c.set('lock', 'owner-b', { NX: true, PX: 300 }), 'OK');
        assert.equal(await c.get('lock'), 'owner-b');
        // the same over the wire with redis-cli
        assert.equal(await r.cli(['SET', 'lock2', 'x', 'NX', 'PX', '1000']), 'OK');
        assert.equal(await r.cli(['SET', 'lock2', 'y', 'NX', 'PX', '1000']), '');
    });

    it('password: the URL carries it percent-encoded; without it the connection gets NOAUTH, a wrong one WRONGPASS', async () => {
        const password = 'p@ss:w rd/%+é';
        const r = await startRedis({ password });
        assert.equal(r.url, `redis://:${encodeURIComponent(password)}@127.0.0.1:${r.port}`);
        const c = await client(r.url);
        assert.equal(await c.ping(), 'PONG');
        assert.equal(await r.cli(['PING']), 'PONG');

        // redis@6 opens with HELLO, which the server refuses before any command when no password is given
        await assert.rejects(connect(`redis://127.0.0.1:${r.port}`), /^Error: NOAUTH /);
        // and a plain RESP2 client without a password gets NOAUTH on its first command
        const anon = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(r.port), 'PING'], { encoding: 'utf8' });
        assert.match(anon.stdout + anon.stderr, /NOAUTH Authentication required/);
        await assert.rejects(connect(`redis://:wrong@127.0.0.1:${r.port}`),
            /WRONGPASS invalid username-password pair or user is disabled/);
    });

    it('stop(): connection refused afterwards, no process and no temp dir left', async () => {
        const r = await startRedis();
        const c = await client(r.url);
        assert.equal(await c.ping(), 'PONG');
        const { dir } = r;
        await r.stop();
        assert.equal(r.running, false);
        assert.equal(await probe(r.port), 'refused');
        await assert.rejects(connect(r.url), /ECONNREFUSED/);
        await assert.rejects(r.cli(['PING']), /Connection refused/);
        assert.equal(fs.existsSync(dir), false);
        assert.deepEqual(pidsOnPort(r.port), []);
    });

    it('restart({ empty: true }): same port, same URL, empty dataset; the old connection is gone', async () => {
        const r = await startRedis({ password: 'secret' });
        const url = r.url;
        const c = await client(url);
        await c.set('k', 'v');
        assert.equal(await c.dbSize(), 1);
        await r.restart({ empty: true });
        assert.equal(r.url, url);
        const c2 = await client(url);
        assert.equal(await c2.dbSize(), 0);
        assert.equal(await c2.get('k'), null);
        // the old connection died with the old server
        await assert.rejects(c.get('k'));
    });

    it('restart() after stop(): starts again on the same port; restart({ empty: false }) keeps the data', async () => {
        const r = await startRedis();
        await r.stop();
        await r.restart();
        assert.equal(await probe(r.port), 'open');
        const c = await client(r.url);
        await c.set('kept', '1');
        await c.set('ttl', 'x', { PX: 60000 });
        await r.restart({ empty: false });
        const c2 = await client(r.url);
        assert.equal(await c2.get('kept'), '1');
        const pttl = await c2.pTTL('ttl');
        assert.ok(pttl > 50000, `PTTL ${pttl}`);
    });

    it('kill(): SIGKILL like a crash; refused afterwards, nothing left; restart() brings it back empty', async () => {
        const r = await startRedis();
        const c = await client(r.url);
        await c.set('k', 'v');
        await r.kill();
        assert.equal(r.running, false);
        assert.equal(await probe(r.port), 'refused');
        assert.deepEqual(pidsOnPort(r.port), []);
        await r.restart({ empty: false }); // nothing runs, nothing saved: empty either way
        const c2 = await client(r.url);
        assert.equal(await c2.dbSize(), 0);
    });

    it('a port already taken: start() rejects with the server\'s log and leaves nothing behind', async () => {
        const r = await startRedis();
        await assert.rejects(redisFixture.start({ port: r.port }), /redis-server exited early[\s\S]*(Address already in use|Could not create server TCP listening socket)/);
    });
});
