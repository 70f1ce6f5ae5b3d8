'use strict';
// nodes/lib/replay-store.js against a REAL redis-server (test/support/redis.js), and the verify
// node with a Redis store in the test runtime: the settings (pinned names replayStore,
// redisPrefix, credential redisUrl; ${REDIS_URL} unset → env-unset), the atomic claim, the
// penalty script, fail-fast while Redis is down or paused, the floor on every (re)connection,
// one connection per credentials node closed on redeploy, and no Redis URL or password in a
// status, a log line or an error. The several-instances behaviour is test/verify-redis.spec.js.
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const redisFixture = require('./support/redis');
const store = require('../nodes/lib/replay-store');
const h = require('./verify-harness');

const { helper } = h;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const { tedeeKey } = require('./fakes/tedee'); // node:crypto, independent of the core
const t = (key, vars) => `${key}${vars ? ' ' + JSON.stringify(vars) : ''}`;
const PASSWORD = 'p@ss:w rd/%+-replay-store';
const TOKEN = 'ReplayStoreToken-0123456789';

/** Client connections to `redis` besides redis-cli's own. */
async function connections(redis) {
    return (await redis.cli(['CLIENT', 'LIST'])).split('\n').filter((l) => l.trim() && !l.includes('cmd=client|list')).length;
}

async function until(cond, what, ms = 5000) {
    const end = Date.now() + ms;
    while (!(await cond())) {
        if (Date.now() > end) throw new Error(`timeout waiting for ${what}`);
        await sleep(20);
    }
}

describe('replay store: settings of the API credentials node', function () {
    it('memory by default; the pinned names; an empty prefix means the default', function () {
        assert.deepEqual(store.storeSettings({}, {}, t), { kind: 'memory', url: null, prefix: 'api-auth:', secrets: [], problem: null });
        assert.equal(store.storeSettings({ replayStore: 'memory' }, { redisUrl: 'redis://x' }, t).url, null, 'memory ignores the URL');
        const s = store.storeSettings({ replayStore: 'redis', redisPrefix: '' }, { redisUrl: 'redis://127.0.0.1:6379' }, t);
        assert.equal(s.problem, null);
        assert.equal(s.prefix, 'api-auth:');
        assert.equal(store.storeSettings({ replayStore: 'redis', redisPrefix: 'app1:' }, { redisUrl: 'rediss://h:1' }, t).prefix, 'app1:');
    });

    it('problems name the field and never contain the URL', function () {
        const url = `redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:1`;
        const cases = [
            [{ replayStore: 'disk' }, {}, 'replayStore', 'unknown-value'],
            [{ replayStore: 'redis' }, {}, 'redisUrl', 'required'],
            [{ replayStore: 'redis' }, { redisUrl: '${REPLAY_STORE_UNSET_4711}' }, 'redisUrl', 'env-unset'],
            [{ replayStore: 'redis' }, { redisUrl: url.replace('redis:', 'http:') }, 'redisUrl', 'bad-url'],
            [{ replayStore: 'redis' }, { redisUrl: PASSWORD }, 'redisUrl', 'bad-url'],
            [{ replayStore: 'redis', redisPrefix: 'a b' }, { redisUrl: url }, 'redisPrefix', 'bad-format'],
            [{ replayStore: 'redis', redisPrefix: 'x'.repeat(101) }, { redisUrl: url }, 'redisPrefix', 'bad-format'],
        ];
        for (const [n, creds, field, code] of cases) {
            const s = store.storeSettings(n, creds, t);
            assert.ok(s.problem, JSON.stringify(n));
            assert.equal(s.problem.field, field);
            assert.equal(s.problem.code, code);
            assert.ok(s.problem.message.startsWith(field + ': '), s.problem.message);
            assert.ok(!s.problem.message.includes(PASSWORD) && !s.problem.message.includes(encodeURIComponent(PASSWORD)), s.problem.message);
        }
        assert.match(store.storeSettings({ replayStore: 'redis' }, { redisUrl: '${REPLAY_STORE_UNSET_4711}' }, t).problem.message, /REPLAY_STORE_UNSET_4711/);
        const ok = store.storeSettings({ replayStore: 'redis' }, { redisUrl: url }, t);
        assert.equal(ok.problem, null);
        assert.ok(ok.secrets.includes(url) && ok.secrets.includes(PASSWORD), 'the URL and the password are masked wherever they appear');
    });

    it('keys: the scope (never the token) and the millisecond; addresses as they are or hashed', function () {
        assert.equal(store.replayKey('api-auth:', 'ab'.repeat(16), 1700000000000), `api-auth:replay:${'ab'.repeat(16)}:1700000000000`);
        assert.equal(store.penaltyKey('p:', '::ffff:127.0.0.1'), 'p:penalty:::ffff:127.0.0.1');
        assert.match(store.penaltyKey('p:', 'evil\r\nkey with spaces'), /^p:penalty:h-[0-9a-f]{32}$/);
        assert.ok(store.backoff(0) >= 50 && store.backoff(0) < 150);
        assert.ok(store.backoff(100) <= 2100);
    });
});

describe('replay store: RedisStore against a real redis-server', function () {
    this.timeout(30000);
    let redis;
    const stores = [];
    function open(opts = {}) {
        const floors = [];
        const s = new store.RedisStore({ url: redis.url, prefix: 'rs-test:', onConnect: (now) => floors.push(now), ...opts });
        s.floors = floors;
        stores.push(s);
        return s.start();
    }
    before(async () => { redis = await redisFixture.start({ password: PASSWORD }); });
    afterEach(() => { for (const s of stores.splice(0)) s.close(); });
    after(async () => { if (redis) await redis.stop(); });

    it('claim: SET NX PX — of 200 concurrent claims of one millisecond (two connections) exactly one wins; the entry expires', async () => {
        const a = open();
        const b = open();
        await until(() => a.ready && b.ready, 'both connected');
        assert.equal(a.floors.length, 1);
        const ms = Date.now();
        const wins = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).claim('c'.repeat(32), ms, 300)));
        assert.equal(wins.filter(Boolean).length, 1);
        const key = store.replayKey('rs-test:', 'c'.repeat(32), ms);
        const pttl = Number(await redis.cli(['PTTL', key]));
        assert.ok(pttl > 0 && pttl <= 300, `PTTL ${pttl}`);
        await sleep(400);
        assert.equal(await redis.cli(['EXISTS', key]), '0', 'gone after its time');
    });

    it('penalty: each failure adds penaltyMs to what is left (capped), one script for every instance; success deletes; it expires', async () => {
        const a = open();
        const b = open();
        await until(() => a.ready && b.ready, 'connected');
        const addr = '10.0.0.' + crypto.randomInt(1, 250);
        assert.equal(await a.penaltyWait(addr, 60000), 0);
        assert.equal(await a.penaltyFailed(addr, 400, 60000), 400);
        const w = await b.penaltyFailed(addr, 400, 60000);
        assert.ok(w > 700 && w <= 800, `second failure: ${w}`);
        const seen = await b.penaltyWait(addr, 60000);
        assert.ok(seen > 600 && seen <= 800, `wait seen by the other connection: ${seen}`);
        assert.equal(await a.penaltyWait(addr, 500), 500, 'capped by the caller');
        assert.equal(await a.penaltyFailed(addr, 60000, 1000), 1000, 'capped by the longest wait');
        await b.penaltySucceeded(addr);
        assert.equal(await a.penaltyWait(addr, 60000), 0);
        await a.penaltyFailed(addr, 150, 60000);
        await sleep(250);
        assert.equal(await a.penaltyWait(addr, 60000), 0, 'expired');
        assert.equal(await redis.cli(['EXISTS', store.penaltyKey('rs-test:', addr)]), '0');
        // the script is loaded again after a SCRIPT FLUSH (NOSCRIPT → EVAL)
        await redis.cli(['SCRIPT', 'FLUSH']);
        assert.equal(await a.penaltyFailed(addr, 100, 60000), 100);
    });

    it('paused Redis: a command fails after the bounded timeout, the store is down, and comes back by itself', async () => {
        const s = open();
        await until(() => s.ready, 'connected');
        const states = [];
        s.onState((state, p) => states.push([state, p && p.code]));
        await redis.cli(['CLIENT', 'PAUSE', '2500', 'ALL']);
        const t0 = Date.now();
        await assert.rejects(s.claim('d'.repeat(32), Date.now(), 1000), (e) => e.storeCode === 'timeout');
        const took = Date.now() - t0;
        assert.ok(took >= store.COMMAND_TIMEOUT_MS - 50 && took < store.COMMAND_TIMEOUT_MS + 500, `failed after ${took} ms`);
        assert.equal(s.ready, false);
        // while it is down, commands fail at once without waiting
        const t1 = Date.now();
        await assert.rejects(s.claim('d'.repeat(32), Date.now(), 1000), (e) => !!e.storeCode);
        assert.ok(Date.now() - t1 < 1500);
        await until(() => s.ready, 'back after the pause', 6000);
        assert.deepEqual(states[0], ['down', 'timeout']);
        assert.deepEqual(states[states.length - 1], ['ready', null]);
        assert.equal(s.floors.length, 1, 'the same connection: no new floor');
        assert.equal(await s.claim('d'.repeat(32), Date.now(), 1000), true);
    });

    it('stopped Redis: commands fail at once (no offline queue); reconnects with backoff; each (re)connection calls onConnect', async () => {
        const s = open();
        await until(() => s.ready, 'connected');
        await redis.stop();
        await until(() => !s.ready, 'down', 2000);
        assert.equal(s.state, 'down');
        const t0 = Date.now();
        await assert.rejects(s.claim('e'.repeat(32), Date.now(), 1000), (e) => ['refused', 'closed', 'offline'].includes(e.storeCode));
        assert.ok(Date.now() - t0 < 100, 'at once');
        await sleep(500);
        assert.equal(s.problem.code, 'refused');
        const before = Date.now();
        await redis.restart({ empty: true });
        await until(() => s.ready, 'reconnected', 5000);
        assert.equal(s.floors.length, 2);
        assert.ok(s.floors[1] >= before, 'the new floor is the moment of the reconnection');
        assert.equal(await s.claim('e'.repeat(32), Date.now(), 1000), true);
    });

    it('a wrong password: down with code auth; the message never carries the password', async () => {
        const s = open({ url: redis.url.replace(encodeURIComponent(PASSWORD), 'wrong-password') });
        await until(() => s.state === 'down', 'refused', 5000);
        assert.equal(s.problem.code, 'auth');
        await assert.rejects(s.claim('f'.repeat(32), 1, 1000), (e) => e.storeCode === 'auth' && !e.message.includes('wrong-password'));
    });

    it('close(): the connection is gone (CLIENT LIST), later commands fail', async () => {
        const before = await connections(redis);
        const s = open();
        await until(() => s.ready, 'connected');
        assert.equal(await connections(redis), before + 1);
        s.close();
        await until(async () => (await connections(redis)) === before, 'closed on the server too');
        await assert.rejects(s.claim('g'.repeat(32), 1, 1000), (e) => e.storeCode === 'closed');
    });
});

describe('replay store: the verify node with its memory in Redis (test runtime, real HTTP)', function () {
    this.timeout(30000);
    let redis;
    before(async () => {
        await h.start();
        redis = await redisFixture.start({ password: PASSWORD });
    });
    after(async () => {
        await h.stop();
        if (redis) await redis.stop();
    });
    afterEach(async () => {
        delete process.env.REPLAY_STORE_URL;
        await h.unload();
    });

    function flow(cfgProps, creds) {
        return {
            nodes: [
                { id: 'tab1', type: 'tab', label: 't' },
                { id: 'cfg', type: 'api-auth-config', name: 'redis creds', scheme: 'tedee', mode: 'encrypted', ...cfgProps },
                { id: 'in', type: 'http in', z: 'tab1', url: '/p', method: 'get', wires: [['verify']] },
                { id: 'verify', type: 'api-auth-verify', z: 'tab1', config: 'cfg', windowSecs: 30, respond: true, penalty: 0, wires: [['fn'], ['bad']] },
                { id: 'fn', type: 'function', z: 'tab1', func: 'msg.payload = { ok: true }; return msg;', outputs: 1, wires: [['res']] },
                { id: 'res', type: 'http response', z: 'tab1', statusCode: '', headers: {}, wires: [] },
                { id: 'bad', type: 'helper', z: 'tab1' },
                { id: 'catchAll', type: 'catch', z: 'tab1', scope: null, uncaught: false, wires: [['caught']] },
                { id: 'caught', type: 'helper', z: 'tab1' },
            ],
            credentials: { cfg: { token: TOKEN, ...creds } },
        };
    }
    async function load(cfgProps, creds) {
        const f = flow(cfgProps, creds);
        await h.load(f.nodes, f.credentials, [
            require('@node-red/nodes/core/common/25-catch.js'),
            require('../nodes/api-auth-config.js'),
            require('../nodes/api-auth-verify.js'),
        ]);
        const verify = helper.getNode('verify');
        const statuses = [];
        verify.on('call:status', (c) => statuses.push(c.args[0]));
        return { verify, cfg: helper.getNode('cfg'), statuses };
    }
    function logText() {
        const spy = helper.log();
        return spy ? JSON.stringify(spy.args.map((a) => a.map((x) => (x && x.msg !== undefined ? String(x.msg) : x)))) : '';
    }
    function assertNoUrl(texts) {
        for (const text of texts) {
            for (const s of [PASSWORD, encodeURIComponent(PASSWORD), redis.url]) assert.ok(!text.includes(s), `leaked: ${text.slice(0, 300)}`);
        }
    }

    it('${REDIS_URL} resolved at deploy: one key once; the memory is in Redis, not in the verifier', async () => {
        process.env.REPLAY_STORE_URL = redis.url;
        // the test runtime does not resolve ${…} in credentials like a deploy does: pass the value
        const { cfg, statuses } = await load({ replayStore: 'redis', redisPrefix: 'rs-node:' }, { redisUrl: process.env.REPLAY_STORE_URL });
        assert.equal(cfg.problem, null);
        assert.equal(cfg.storeProblem, null);
        assert.equal(cfg.replayStore, 'redis');
        await until(() => cfg.store().ready, 'connected');
        const key = tedeeKey(TOKEN, Date.now());
        assert.equal((await h.get('/p', { api_token: key })).status, 200);
        const again = await h.get('/p', { api_token: key });
        assert.equal(again.status, 401);
        assert.equal(cfg.verifier().size(), 0, 'nothing in the local bitmap');
        const keys = (await redis.cli(['KEYS', 'rs-node:*'])).split('\n');
        assert.equal(keys.length, 1);
        assert.match(keys[0], /^rs-node:replay:[0-9a-f]{32}:\d+$/);
        assert.ok(!keys[0].includes(TOKEN));
        await sleep(400);
        assertNoUrl([...statuses.map((s) => JSON.stringify(s)), logText()]);
    });

    it('an unset ${REDIS_URL}: 500 Server misconfigured naming the variable, red status; signing is not affected', async () => {
        const { cfg, statuses } = await load({ replayStore: 'redis' }, { redisUrl: '${REPLAY_STORE_UNSET_4711}' });
        assert.equal(cfg.problem, null, 'the credentials themselves are fine');
        assert.equal(cfg.storeProblem.code, 'env-unset');
        const caught = h.nextMessage(helper.getNode('caught'));
        const r = await h.get('/p', { api_token: tedeeKey(TOKEN, Date.now()) });
        assert.equal(r.status, 500);
        assert.deepEqual(r.json, { ok: false, error: 'Server misconfigured' });
        assert.match((await caught).error.message, /redisUrl: .*REPLAY_STORE_UNSET_4711/);
        assert.ok(statuses.some((s) => s.fill === 'red' && /redisUrl/.test(s.text)), JSON.stringify(statuses));
    });

    it('Redis down at deploy: 503 Service unavailable, red status naming Redis, nothing accepted; accepted once it is up', async () => {
        const port = redis.port;
        await redis.stop();
        try {
            const { cfg, statuses } = await load({ replayStore: 'redis' }, { redisUrl: redis.url });
            const refused = h.collect(helper.getNode('bad'));
            await until(() => cfg.store().state === 'down', 'down');
            const r = await h.get('/p', { api_token: tedeeKey(TOKEN, Date.now()) });
            assert.equal(r.status, 503);
            assert.deepEqual(r.json, { ok: false, error: 'Service unavailable' });
            await h.until(() => refused.length === 1);
            assert.equal(refused[0].auth.reason, 'unavailable');
            const last = statuses[statuses.length - 1];
            assert.equal(last.fill, 'red');
            assert.match(last.text, /^Redis: connection refused/);
            await redis.restart();
            assert.equal(redis.port, port);
            await until(() => cfg.store().ready, 'connected after Redis started', 5000);
            assert.equal((await h.get('/p', { api_token: tedeeKey(TOKEN, Date.now()) })).status, 200);
            await sleep(400);
            assert.notEqual(statuses[statuses.length - 1].fill, 'red', JSON.stringify(statuses.slice(-3)));
            assertNoUrl([...statuses.map((s) => JSON.stringify(s)), logText()]);
            assert.match(logText(), /Redis: connection refused — the verify nodes answer 503 until it is back/);
        } finally {
            if (!redis.running) await redis.restart();
        }
    });

    it('one connection per credentials node, closed when the flow is stopped', async () => {
        const before = await connections(redis);
        const { cfg } = await load({ replayStore: 'redis' }, { redisUrl: redis.url });
        await until(() => cfg.store().ready, 'connected');
        for (let i = 0; i < 5; i++) await h.get('/p', { api_token: tedeeKey(TOKEN, Date.now() + i) });
        assert.equal(await connections(redis), before + 1);
        await h.unload();
        await until(async () => (await connections(redis)) === before, 'the connection is closed');
        // a late request of a verify node still closing gets the closed store, not a new connection
        assert.equal(cfg.store().state, 'closed');
        await assert.rejects(cfg.store().claim('a'.repeat(32), Date.now(), 1000), (e) => e.storeCode === 'closed');
        await sleep(300);
        assert.equal(await connections(redis), before);
    });
});
