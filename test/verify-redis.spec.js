'use strict';
// Several Node-RED instances, one truth: THREE real Node-RED processes (test/support/
// nodered-process.js, separate user dirs, this package linked in) share ONE real redis-server
// (test/support/redis.js, password-protected) through their API credentials nodes
// (replayStore: 'redis', credential redisUrl: '${REDIS_URL}'), and are driven over real HTTP
// (http in → api-auth-verify → http response), concurrently, as behind a load balancer:
//   - 1000 requests with the same valid key, spread over the instances at once → exactly 1 accepted,
//     999 refused as replay;
//   - 10 000 distinct valid keys across the instances → all accepted once; Redis holds at most
//     what the window allows meanwhile, and nothing after it (DBSIZE, INFO memory);
//   - the penalty follows a client address from one instance to the next;
//   - Redis stopped mid-run → every instance answers 503 {"ok":false,"error":"Service unavailable"}
//     and shows a red status naming Redis within the timeout, accepts nothing while it is down,
//     and recovers by itself after it restarts; Redis paused (slow) → 503 after the 1 s timeout;
//   - Redis restarted empty → keys used before (older than the new floor) are still refused;
//   - examples/verify-redis.json, deployed on the three, works as shipped;
//   - the Redis URL and password are in no flows.json, log line or status.
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { onTab } = require('./support/examples');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const nr = require('./support/nodered-process');
const redisFixture = require('./support/redis');
const { COMMAND_TIMEOUT_MS } = require('../nodes/lib/replay-store');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rnd = (n) => crypto.randomBytes(n).toString('hex');
const { tedeeKey } = require('./fakes/tedee'); // node:crypto, independent of the core
/** The core's scope (docs/CORE_API.md), written out here as an independent oracle. */
const scopeOf = (token) => crypto.createHash('sha256').update(`node-red-contrib-api-auth/replay-scope/v1\0tedee\0${token}`).digest('hex').slice(0, 32);

const INSTANCES = 3;
const SHORT_WINDOW_SECS = 2; // the DBSIZE case: entries live ≤ 2 × 2 s + 2 s
const PREFIX = 'vr-test:';
const TOKEN_SHORT = 'ShortWindow' + rnd(8);
const TOKEN_LONG = 'LongWindow' + rnd(8);
const PASSWORD = 'redis p@ss:' + rnd(6);
const UNAVAILABLE = { ok: false, error: 'Service unavailable' };
const EXAMPLE_TOKEN = 'ExampleShared' + rnd(8);

/** One protected endpoint: http in → verify → (ok) count + 200 | (refused) count; the verify node answers. */
function endpoint(name, cfg, windowSecs, penalty) {
    const count = (what) => `const c = flow.get('count') || {}; const k = '${name}:' + ${what}; c[k] = (c[k] || 0) + 1; flow.set('count', c);`;
    return [
        { id: 'in-' + name, type: 'http in', z: 'tab', url: '/' + name, method: 'get', wires: [['verify-' + name]] },
        {
            id: 'verify-' + name, type: 'api-auth-verify', z: 'tab', name: name, config: cfg, windowSecs, respond: true, penalty,
            wires: [['ok-' + name], ['bad-' + name]],
        },
        { id: 'ok-' + name, type: 'function', z: 'tab', func: `${count("'ok'")} msg.payload = { ok: true }; return msg;`, outputs: 1, wires: [['res-' + name]] },
        { id: 'res-' + name, type: 'http response', z: 'tab', statusCode: '', headers: {}, wires: [] },
        { id: 'bad-' + name, type: 'function', z: 'tab', func: `${count('msg.auth.reason')} return null;`, outputs: 1, wires: [[]] },
    ];
}

function flows() {
    const cfg = (id, token) => ({
        id, type: 'api-auth-config', name: id + ' credentials', scheme: 'tedee', mode: 'encrypted', placement: 'header',
        replayStore: 'redis', redisPrefix: PREFIX, credentials: { token, redisUrl: '${REDIS_URL}' },
    });
    return [
        { id: 'tab', type: 'tab', label: 'verify with Redis' },
        cfg('cfgShort', '${TOKEN_SHORT}'),
        cfg('cfgLong', '${TOKEN_LONG}'),
        ...endpoint('short', 'cfgShort', SHORT_WINDOW_SECS, 0),
        ...endpoint('long', 'cfgLong', 30, 0),
        ...endpoint('pen', 'cfgLong', 30, 1000),
        { id: 'in-stats', type: 'http in', z: 'tab', url: '/stats', method: 'get', wires: [['fn-stats']] },
        { id: 'fn-stats', type: 'function', z: 'tab', func: "msg.payload = flow.get('count') || {}; return msg;", outputs: 1, wires: [['res-stats']] },
        { id: 'res-stats', type: 'http response', z: 'tab', statusCode: '', headers: {}, wires: [] },
    ];
}

describe('api-auth-verify: several Node-RED instances share one Redis (real processes, real redis-server)', function () {
    this.timeout(180000);
    let redis = null;
    const reds = [];
    const agents = [];
    const listeners = [];

    /** GET on instance i → { status, json, ms, sentAt } (never rejects: a network error is status 0). */
    function get(i, p, headers = {}) {
        const sentAt = Date.now();
        return new Promise((resolve) => {
            const req = http.request(`${reds[i].url}${p.replace(/^\//, '')}`, { headers, agent: agents[i] }, (res) => {
                let body = '';
                res.setEncoding('utf8');
                res.on('data', (d) => { body += d; });
                res.on('end', () => {
                    let json = null;
                    try { json = JSON.parse(body); } catch (_) { /* not JSON */ }
                    resolve({ status: res.statusCode, json, body, ms: Date.now() - sentAt, sentAt, i });
                });
            });
            req.on('error', (err) => resolve({ status: 0, error: err.message, ms: Date.now() - sentAt, sentAt, i }));
            req.end();
        });
    }
    async function stats() {
        const all = {};
        for (let i = 0; i < INSTANCES; i++) {
            const r = await get(i, '/stats');
            for (const [k, v] of Object.entries(r.json || {})) all[k] = (all[k] || 0) + v;
        }
        return all;
    }
    /** Every instance answers a request without a key with 401: its Redis store is connected. */
    async function allReady(ms = 15000) {
        const end = Date.now() + ms;
        for (;;) {
            const rs = await Promise.all(reds.map((_, i) => get(i, '/short')));
            if (rs.every((r) => r.status === 401)) return;
            if (Date.now() > end) throw new Error('not ready: ' + rs.map((r) => r.status + ' ' + r.body).join(', ') + '\n' + reds[0].logs().split('\n').filter((l) => !/not found/.test(l)).join('\n').slice(-3000));
            await sleep(50);
        }
    }
    const status = (i, id) => listeners[i].statuses['verify-' + id];
    async function until(cond, what, ms) {
        const end = Date.now() + ms;
        while (!(await cond())) {
            if (Date.now() > end) throw new Error(`timeout (${ms} ms) waiting for ${what}`);
            await sleep(20);
        }
    }
    // keys of distinct milliseconds (for one token a millisecond has one key), each made just before
    // it is sent: from now on, running ahead of the clock by at most 1.5 s when sent faster than
    // one per millisecond (the window is ±2 s)
    let nextFree = 0;
    const nextMs = () => {
        const now = Date.now();
        if (nextFree < now) nextFree = now;
        return nextFree <= now + 1500 ? nextFree++ : null;
    };
    const dbsize = async () => Number(await redis.cli(['DBSIZE']));
    const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.cli(['INFO', 'memory']))[1]);
    const scan = async (pattern) => (await redis.cli(['--scan', '--pattern', pattern])).split('\n').filter(Boolean);

    before(async function () {
        redis = await redisFixture.start({ password: PASSWORD });
        const env = { REDIS_URL: redis.url, TOKEN_SHORT, TOKEN_LONG, VERIFY_REDIS_DEMO_TOKEN: EXAMPLE_TOKEN };
        const started = await Promise.all(Array.from({ length: INSTANCES }, () => nr.start({ link: true, env })));
        reds.push(...started);
        for (const red of reds) {
            agents.push(new http.Agent({ keepAlive: true, maxSockets: 24 }));
            await red.api.deploy(flows());
            listeners.push(await red.debugListener());
        }
        await allReady();
    });

    after(async function () {
        for (const l of listeners) l.close();
        for (const a of agents) a.destroy();
        await Promise.all(reds.map((r) => r.stop()));
        if (redis) await redis.stop();
    });

    it('1000 concurrent requests with the same valid key, spread over 3 instances: exactly 1 accepted, 999 refused as replay', async function () {
        const before = await stats();
        const key = tedeeKey(TOKEN_LONG, Date.now());
        const rs = await Promise.all(Array.from({ length: 1000 }, (_, n) => get(n % INSTANCES, '/long', { api_token: key })));
        const byStatus = {};
        for (const r of rs) byStatus[r.status] = (byStatus[r.status] || 0) + 1;
        assert.deepEqual(byStatus, { 200: 1, 401: 999 });
        const after = await stats();
        assert.equal((after['long:ok'] || 0) - (before['long:ok'] || 0), 1);
        assert.equal((after['long:replay'] || 0) - (before['long:replay'] || 0), 999, JSON.stringify(after));
        const perInstance = [0, 1, 2].map((i) => rs.filter((r) => r.i === i).length);
        assert.deepEqual(perInstance, [334, 333, 333]);
        // one entry in Redis, named by the token's scope (never the token), expiring by itself
        const keys = await scan(`${PREFIX}replay:${scopeOf(TOKEN_LONG)}:*`);
        assert.deepEqual(keys, [`${PREFIX}replay:${scopeOf(TOKEN_LONG)}:${key.slice(64)}`]);
        const pttl = Number(await redis.cli(['PTTL', keys[0]]));
        assert.ok(pttl > 0 && pttl <= 62000, `PTTL ${pttl}`);
    });

    it('10 000 distinct valid keys across the instances: each accepted once; Redis holds what the window allows, then nothing', async function () {
        const N = 10000;
        const windowMs = SHORT_WINDOW_SECS * 1000;
        // live entries: SCAN skips (and reclaims) keys past their PX; DBSIZE also counts expired keys
        // Redis has not yet got round to deleting, which says nothing about what we asked it to keep
        const live = async () => (await scan(`${PREFIX}replay:${scopeOf(TOKEN_SHORT)}:*`)).length;
        const baseline = { keys: await dbsize(), live: await live(), memory: await usedMemory() };
        const sent = new Set();
        const results = [];
        let issued = 0;
        let peak = { keys: 0, memory: 0 };
        let sampling = true;
        const sampler = (async () => {
            while (sampling) {
                const [k, m] = [await live(), await usedMemory()];
                peak = { keys: Math.max(peak.keys, k), memory: Math.max(peak.memory, m) };
                await sleep(200);
            }
        })();
        const t0 = Date.now();
        await Promise.all(Array.from({ length: 60 }, async (_, w) => {
            while (issued < N) {
                const ms = nextMs();
                if (ms === null) {
                    await sleep(1);
                    continue;
                }
                issued++;
                sent.add(ms);
                results.push(await get(w % INSTANCES, '/short', { api_token: tedeeKey(TOKEN_SHORT, ms) }));
            }
        }));
        const seconds = (Date.now() - t0) / 1000;
        sampling = false;
        await sampler;
        assert.equal(sent.size, N);
        const bad = results.filter((r) => r.status !== 200);
        assert.equal(bad.length, 0, `${bad.length} not accepted, e.g. ${JSON.stringify(bad.slice(0, 3))}`);
        const st = await stats();
        assert.equal(st['short:ok'], N);
        // bounded meanwhile: an entry lives ≤ the key's own time + the widest window + 2 s
        const bound = 2 * windowMs + 2000 + 1;
        assert.equal(baseline.live, 0);
        assert.ok(peak.keys <= bound, `peak live entries ${peak.keys} > ${bound}`);
        assert.ok(peak.keys > 0, 'the keys were in Redis');
        // and after the window, Redis dropped them all by itself
        await until(async () => (await scan(`${PREFIX}replay:${scopeOf(TOKEN_SHORT)}:*`)).length === 0, 'the short-window entries to expire', 2 * windowMs + 2000 + 8000);
        const after = { keys: await dbsize(), memory: await usedMemory() };
        assert.ok(after.keys <= baseline.keys, `DBSIZE after the window ${after.keys} (before ${baseline.keys})`);
        assert.ok(after.memory < baseline.memory + 256 * 1024, `used_memory after ${after.memory} vs before ${baseline.memory}`);
        console.log(`      ${N} keys in ${seconds.toFixed(1)} s (${Math.round(N / seconds)}/s over ${INSTANCES} instances); ` +
            `live entries peak ${peak.keys}; DBSIZE ${baseline.keys} → ${after.keys}; used_memory ${baseline.memory} → peak ${peak.memory} → ${after.memory} bytes`);
    });

    it('the penalty is shared: failures on instance A delay the next try from the same address on instance B; a success clears it everywhere', async function () {
        // penalty 1000 ms per failure (margins for a busy machine: held ≥ half of it, "at once" < half)
        const first = await get(0, '/pen', { api_token: 'wrong' });
        assert.equal(first.status, 401);
        assert.ok(first.ms < 500, `first failure answered at once (${first.ms} ms)`);
        const second = await get(1, '/pen', { api_token: tedeeKey('not-the-token', Date.now()) });
        assert.equal(second.status, 401);
        assert.ok(second.ms >= 700, `instance B held the answer for A's failure (${second.ms} ms)`);
        const keys = await scan(`${PREFIX}penalty:*`);
        assert.equal(keys.length, 1, JSON.stringify(keys));
        const pttl = Number(await redis.cli(['PTTL', keys[0]]));
        assert.ok(pttl > 0 && pttl <= 1000, `the penalty expires by itself (PTTL ${pttl})`);
        const good = await get(2, '/pen', { api_token: tedeeKey(TOKEN_LONG, Date.now()) });
        assert.equal(good.status, 200);
        assert.ok(good.ms >= 500, `instance C held a valid request of the penalised address (${good.ms} ms)`);
        assert.deepEqual(await scan(`${PREFIX}penalty:*`), [], 'a success deleted it');
        const after = await get(0, '/pen', { api_token: tedeeKey(TOKEN_LONG, Date.now()) });
        assert.equal(after.status, 200);
        assert.ok(after.ms < 500, `cleared on instance A too (${after.ms} ms)`);
    });

    it('Redis stopped mid-run: 503 and a red status naming Redis on every instance within the timeout, nothing accepted while down, all recover after it restarts', async function () {
        const results = [];
        let running = true;
        const load = Promise.all(Array.from({ length: INSTANCES * 2 }, async (_, w) => {
            while (running) {
                const ms = nextMs();
                if (ms !== null) results.push(await get(w % INSTANCES, '/short', { api_token: tedeeKey(TOKEN_SHORT, ms) }));
                await sleep(5);
            }
        }));
        await sleep(700);
        assert.ok(results.length > 20 && results.every((r) => r.status === 200), 'all accepted before: ' + JSON.stringify(results.filter((r) => r.status !== 200).slice(0, 3)));
        await redis.stop();
        const stopped = Date.now();
        await until(() => reds.every((_, i) => status(i, 'short') && status(i, 'short').fill === 'red'), 'a red status on every instance', COMMAND_TIMEOUT_MS + 500);
        const within = Date.now() - stopped;
        for (let i = 0; i < INSTANCES; i++) {
            assert.match(status(i, 'short').text, /^Redis: /, JSON.stringify(status(i, 'short')));
            assert.equal(status(i, 'short').shape, 'ring');
        }
        await sleep(1500);
        const down = results.filter((r) => r.sentAt >= stopped);
        assert.ok(down.length > 20, `requests while down: ${down.length}`);
        assert.deepEqual(down.filter((r) => r.status === 200), [], 'a key was accepted while Redis was down');
        for (const r of down) {
            assert.equal(r.status, 503);
            assert.deepEqual(r.json, UNAVAILABLE);
        }
        assert.ok(down.every((r) => r.ms < COMMAND_TIMEOUT_MS + 500), `slowest 503 ${Math.max(...down.map((r) => r.ms))} ms`);
        for (let i = 0; i < INSTANCES; i++) assert.ok(down.some((r) => r.i === i), `instance ${i} was asked while down`);
        await redis.restart();
        const restarted = Date.now();
        await until(() => {
            const recent = results.filter((r) => r.sentAt > restarted);
            return [0, 1, 2].every((i) => recent.some((r) => r.i === i && r.status === 200));
        }, 'every instance accepting again', 6000);
        const back = Date.now() - restarted;
        running = false;
        await load;
        await sleep(400);
        for (let i = 0; i < INSTANCES; i++) assert.notEqual(status(i, 'short').fill, 'red', `instance ${i}: ${JSON.stringify(status(i, 'short'))}`);
        console.log(`      red status on all ${INSTANCES} instances ${within} ms after the stop; ${down.length} requests while down, all 503 ` +
            `(slowest ${Math.max(...down.map((r) => r.ms))} ms); all accepting ${back} ms after the restart`);
    });

    it('Redis slow (CLIENT PAUSE): 503 after the bounded timeout and a red status; back by itself', async function () {
        await allReady();
        await redis.cli(['CLIENT', 'PAUSE', '2500', 'ALL']);
        const paused = Date.now();
        const keys = reds.map((_, i) => tedeeKey(TOKEN_LONG, Date.now() + 100 + i));
        const rs = await Promise.all(reds.map((_, i) => get(i, '/long', { api_token: keys[i] })));
        for (const r of rs) {
            assert.equal(r.status, 503, JSON.stringify(r));
            assert.deepEqual(r.json, UNAVAILABLE);
            assert.ok(r.ms >= COMMAND_TIMEOUT_MS - 50 && r.ms < COMMAND_TIMEOUT_MS + 700, `answered after ${r.ms} ms`);
        }
        await until(() => reds.every((_, i) => /^Redis: no answer within 1 s/.test(status(i, 'long').text)), 'a red status naming Redis on every instance', 1000);
        for (let i = 0; i < INSTANCES; i++) assert.equal(status(i, 'long').fill, 'red');
        await sleep(Math.max(0, 2600 - (Date.now() - paused)));
        await until(async () => {
            const again = await Promise.all(reds.map((_, i) => get(i, '/long', { api_token: tedeeKey(TOKEN_LONG, Date.now() + 200 + i) })));
            return again.every((r) => r.status === 200);
        }, 'accepting after the pause', 5000);
        // the keys answered 503 reached Redis and were recorded when the pause ended: a 503 never
        // turns into an acceptance later
        for (let i = 0; i < INSTANCES; i++) assert.equal((await get((i + 1) % INSTANCES, '/long', { api_token: keys[i] })).status, 401);
    });

    it('Redis restarted empty: keys used before (older than the floor the reconnection set) are still refused on every instance', async function () {
        await allReady();
        const key = tedeeKey(TOKEN_LONG, Date.now() - 1000);
        assert.equal((await get(0, '/long', { api_token: key })).status, 200);
        assert.equal((await get(1, '/long', { api_token: key })).status, 401);
        await redis.restart({ empty: true });
        assert.equal(await dbsize(), 0, 'Redis lost everything');
        await allReady();
        const before = await stats();
        // allReady() asks without a key, which never reaches Redis: an instance may still be
        // reconnecting, and then answers 503 (nothing accepted, nothing recorded) until it is back
        for (let i = 0; i < INSTANCES; i++) {
            let r = await get(i, '/long', { api_token: key });
            for (const end = Date.now() + 10000; r.status === 503 && Date.now() < end;) {
                await sleep(50);
                r = await get(i, '/long', { api_token: key });
            }
            assert.equal(r.status, 401, `instance ${i} after Redis lost the used key: ${JSON.stringify(r)}`);
        }
        const after = await stats();
        assert.equal((after['long:stale'] || 0) - (before['long:stale'] || 0), INSTANCES, JSON.stringify(after));
        assert.equal(await dbsize(), 0, 'a refused key is not recorded');
        // fresh keys are accepted (once)
        const fresh = tedeeKey(TOKEN_LONG, Date.now());
        assert.equal((await get(2, '/long', { api_token: fresh })).status, 200);
        assert.equal((await get(0, '/long', { api_token: fresh })).status, 401);
    });

    it('examples/verify-redis.json as shipped, deployed on the 3 instances: each client call gets 200; a key used on one is refused on the others', async function () {
        const example = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'examples', 'verify-redis.json'), 'utf8'));
        const cfg = example.find((n) => n.type === 'api-auth-config');
        assert.strictEqual(cfg.replayStore, 'redis');
        assert.deepStrictEqual(cfg.credentials, { token: '${VERIFY_REDIS_DEMO_TOKEN}', redisUrl: '${REDIS_URL}' });
        const inject = example.find((n) => n.type === 'inject');
        const answer = example.find((n) => n.type === 'debug' && /^answer/.test(n.name));
        const errors = example.filter((n) => n.type === 'debug' && /error|refused/.test(n.name)).map((n) => n.id);
        for (let i = 0; i < INSTANCES; i++) {
            const text = JSON.stringify(example).split('127.0.0.1:1880').join(`127.0.0.1:${reds[i].port}`);
            await reds[i].api.deploy(onTab(JSON.parse(text), 'ex-verify-redis'));
        }
        const end = Date.now() + 15000;
        for (;;) {
            const rs = await Promise.all(reds.map((_, i) => get(i, '/api-auth-demo/redis')));
            if (rs.every((r) => r.status === 401)) break;
            if (Date.now() > end) throw new Error('the example endpoints are not ready: ' + rs.map((r) => r.status));
            await sleep(100);
        }
        for (let i = 0; i < INSTANCES; i++) {
            const seen = listeners[i].messages.length;
            await reds[i].api.inject(inject.id);
            // (the readiness probes above were refused as "missing": their debug messages may still arrive)
            const m = await listeners[i].waitFor((d) => listeners[i].messages.indexOf(d) >= seen &&
                (d.id === answer.id || (errors.includes(d.id) && !/"reason":"missing"/.test(d.msg))), 15000);
            assert.strictEqual(m.id, answer.id, `instance ${i}: ${m.msg}`);
            assert.match(m.msg, /"ok":true/);
        }
        await sleep(600); // the penalty of the bare requests above has passed
        const key = tedeeKey(EXAMPLE_TOKEN, Date.now());
        assert.equal((await get(0, '/api-auth-demo/redis', { api_token: key })).status, 200);
        for (const i of [1, 2]) assert.equal((await get(i, '/api-auth-demo/redis', { api_token: key })).status, 401);
        assert.equal((await scan(`api-auth:replay:${scopeOf(EXAMPLE_TOKEN)}:*`)).length, 4, 'three client calls and one key, recorded under the example\'s prefix');
    });

    it('the Redis URL and its password are in no flows.json, log line or status', async function () {
        for (let i = 0; i < INSTANCES; i++) {
            const flowsFile = fs.readFileSync(path.join(reds[i].userDir, 'flows.json'), 'utf8');
            const texts = [flowsFile, reds[i].logs(), JSON.stringify(listeners[i].statuses), JSON.stringify(listeners[i].messages)];
            for (const text of texts) {
                for (const s of [PASSWORD, encodeURIComponent(PASSWORD), redis.url, TOKEN_LONG, TOKEN_SHORT, EXAMPLE_TOKEN]) {
                    assert.ok(!text.includes(s), `instance ${i} shows a secret: ${text.slice(Math.max(0, text.indexOf(s) - 100), text.indexOf(s) + 50)}`);
                }
            }
            assert.match(flowsFile, /"replayStore": ?"redis"/);
            assert.match(reds[i].logs(), /Redis: connected again/);
        }
    });
});
