'use strict';
// The verify node: what a request costs with the replay memory in this Node-RED and in Redis on
// loopback, and how many requests per second several instances sharing one Redis accept.
// A plug-in section of bench/run.js: `await require('./verify').run({ smoke })` → figures and the
// `tables` to print. Figures, not tests: nothing here passes or fails on a number.
//
// 1. Per request, through the node's INPUT directly (node-red-node-test-helper with the real
//    runtime; the helper's sinon spies taken off as in flow.js). msg.req is made by hand (a fresh
//    valid Tedee key per message, precomputed), msg.res a stub. Three flows, interleaved rounds:
//      none:   src → sink                      (the runtime's own cost of moving a message)
//      memory: src → verify (this Node-RED) → sink
//      redis:  src → verify (Redis on loopback, its own redis-server) → sink
//    burst: N messages fed 100 per setImmediate, first send to last arrival / N (many in flight,
//    Redis commands pipelined); sequential: one message at a time (latency, one Redis round trip).
// 2. Throughput over real HTTP: three real Node-RED processes (test/support/nodered-process.js)
//    sharing one redis-server, `http in → verify → http response`, C keep-alive clients sending
//    distinct valid keys of K tokens (one Tedee token has one key per millisecond: 1000 a second)
//    for D seconds → accepted requests/s across the three; the same against one instance with
//    Redis, and one instance with the memory store, for reference.
// Needs redis-server (bash .ci/install-redis.sh); without it the Redis figures are null and
// `skipped` says why.

const crypto = require('node:crypto');
const http = require('node:http');
const path = require('node:path');
const assert = require('node:assert');
const { now, median } = require('./lib');

const TOKEN = 'BenchVerifyToken-0123456789';
const WINDOW_SECS = 600; // room for every key of every round (one per millisecond, ahead of now)
const { tedeeKey } = require('../test/fakes/tedee'); // node:crypto, independent of the core
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- 1. per request, the node's input ------------------------------------------------------

function resStub() {
    return { _res: { headersSent: false, status() { return this; }, json() { this.headersSent = true; } } };
}

function flowDef(redisUrl) {
    const f = [
        { id: 'tab', type: 'tab', label: 'bench verify' },
        { id: 'cfgMem', type: 'api-auth-config', name: 'bench memory', scheme: 'tedee', mode: 'encrypted' },
        { id: 'src-none', type: 'helper', z: 'tab', wires: [['sink-none']] },
        { id: 'sink-none', type: 'helper', z: 'tab' },
        { id: 'src-memory', type: 'helper', z: 'tab', wires: [['verify-memory']] },
        { id: 'verify-memory', type: 'api-auth-verify', z: 'tab', config: 'cfgMem', windowSecs: WINDOW_SECS, respond: true, penalty: 0, wires: [['sink-memory'], ['bad-memory']] },
        { id: 'sink-memory', type: 'helper', z: 'tab' },
        { id: 'bad-memory', type: 'helper', z: 'tab' },
    ];
    if (redisUrl) {
        f.push(
            { id: 'cfgRedis', type: 'api-auth-config', name: 'bench redis', scheme: 'tedee', mode: 'encrypted', replayStore: 'redis', redisPrefix: 'bench:' },
            { id: 'src-redis', type: 'helper', z: 'tab', wires: [['verify-redis']] },
            { id: 'verify-redis', type: 'api-auth-verify', z: 'tab', config: 'cfgRedis', windowSecs: WINDOW_SECS, respond: true, penalty: 0, wires: [['sink-redis'], ['bad-redis']] },
            { id: 'sink-redis', type: 'helper', z: 'tab' },
            { id: 'bad-redis', type: 'helper', z: 'tab' },
        );
    }
    return f;
}

async function perRequest(helper, { smoke, redisUrl }) {
    const n = smoke ? 300 : 20000;
    const seqN = smoke ? 50 : 2000;
    const rounds = smoke ? 2 : 7;
    const warmup = smoke ? 1 : 2;
    const chunk = 100;
    const coreNodes = [require('../nodes/api-auth-config.js'), require('../nodes/api-auth-verify.js')];
    const creds = { cfgMem: { token: TOKEN } };
    if (redisUrl) creds.cfgRedis = { token: TOKEN, redisUrl };
    await helper.load(coreNodes, flowDef(redisUrl), creds);
    helper._sandbox.restore();
    try {
        const names = redisUrl ? ['none', 'memory', 'redis'] : ['none', 'memory'];
        if (redisUrl) {
            const store = helper.getNode('cfgRedis').store();
            const end = Date.now() + 10000;
            while (!store.ready) {
                if (Date.now() > end) throw new Error('bench: Redis store not connected: ' + JSON.stringify(store.problem));
                await sleep(20);
            }
        }
        // one key per millisecond from now on; each message its own
        let nextMs = Date.now() + 5;
        const keys = (count) => Array.from({ length: count }, () => tedeeKey(TOKEN, nextMs++));
        const msgOf = (key) => ({ req: { headers: { api_token: key }, query: {}, ip: '127.0.0.1' }, res: resStub() });

        const burst = (name, list) => new Promise((resolve, reject) => {
            const src = helper.getNode('src-' + name);
            const sink = helper.getNode('sink-' + name);
            const bad = helper.getNode('bad-' + name);
            let arrived = 0;
            let sent = 0;
            const done = () => {
                clearTimeout(timer);
                sink.removeListener('input', onMsg);
                if (bad) bad.removeListener('input', onBad);
            };
            const timer = setTimeout(() => { done(); reject(new Error(`${name}: ${arrived}/${list.length} arrived`)); }, 120000);
            const onMsg = () => {
                if (++arrived === list.length) {
                    const t = Number(now() - t0);
                    done();
                    resolve(t);
                }
            };
            const onBad = (m) => { done(); reject(new Error(`${name}: a valid key was refused (${m.auth && m.auth.reason})`)); };
            sink.on('input', onMsg);
            if (bad) bad.on('input', onBad);
            const t0 = now();
            const feed = () => {
                const end = Math.min(list.length, sent + chunk);
                for (; sent < end; sent++) src.send(name === 'none' ? { payload: sent } : msgOf(list[sent]));
                if (sent < list.length) setImmediate(feed);
            };
            feed();
        });
        const sequential = async (name, list) => {
            const src = helper.getNode('src-' + name);
            const sink = helper.getNode('sink-' + name);
            const t0 = now();
            for (const key of list) {
                const got = new Promise((resolve) => sink.once('input', resolve));
                src.send(name === 'none' ? { payload: 1 } : msgOf(key));
                await got;
            }
            return Number(now() - t0);
        };

        const samples = {};
        const seq = {};
        for (const name of names) { samples[name] = []; seq[name] = []; }
        for (let r = 0; r < warmup + rounds; r++) {
            for (let k = 0; k < names.length; k++) {
                const name = names[(k + r) % names.length];
                const list = keys(n);
                if (global.gc) global.gc();
                const ns = await burst(name, list);
                const sns = await sequential(name, keys(seqN));
                if (r >= warmup) {
                    samples[name].push(ns / n);
                    seq[name].push(sns / seqN);
                }
            }
        }
        const out = { messages: n, sequentialMessages: seqN, rounds, via: 'the node\'s input (test runtime), no HTTP' };
        for (const name of names) {
            const burstNs = median(samples[name]);
            const seqNs = median(seq[name]);
            out[name] = { burstUsPerMsg: burstNs / 1000, msgsPerSec: 1e9 / burstNs, sequentialUsPerMsg: seqNs / 1000 };
        }
        out.memoryNetUs = out.memory.burstUsPerMsg - out.none.burstUsPerMsg;
        if (out.redis) out.redisNetUs = out.redis.burstUsPerMsg - out.none.burstUsPerMsg;
        return out;
    } finally {
        await helper.unload();
    }
}

// ---- 2. throughput over HTTP, three real Node-RED processes ---------------------------------

function httpFlows(tokens, store) {
    const f = [{ id: 'tab', type: 'tab', label: 'bench verify http' }];
    tokens.forEach((_, k) => {
        f.push(
            {
                id: 'cfg' + k, type: 'api-auth-config', name: 'bench token ' + k, scheme: 'tedee', mode: 'encrypted', replayStore: store, redisPrefix: 'bench-http:',
                credentials: { token: '${BENCH_TOKEN_' + k + '}', ...(store === 'redis' ? { redisUrl: '${REDIS_URL}' } : {}) },
            },
            { id: 'in' + k, type: 'http in', z: 'tab', url: '/b' + k, method: 'get', wires: [['verify' + k]] },
            { id: 'verify' + k, type: 'api-auth-verify', z: 'tab', config: 'cfg' + k, windowSecs: 30, respond: true, penalty: 0, wires: [['res' + k], []] },
            { id: 'res' + k, type: 'http response', z: 'tab', statusCode: '', headers: {}, wires: [] },
        );
    });
    return f;
}

/** C clients for `seconds` against `targets` (base URLs): distinct keys per token → counts. */
async function drive(targets, tokens, { clients, seconds, agents }) {
    const next = tokens.map(() => 0);
    const nextMs = (k) => {
        const t = Date.now();
        if (next[k] < t) next[k] = t;
        return next[k] <= t + 20000 ? next[k]++ : null;
    };
    const counts = { ok: 0, other: 0, statuses: {} };
    const end = Date.now() + seconds * 1000;
    const get = (ti, url, key) => new Promise((resolve) => {
        const req = http.request(url, { headers: { api_token: key }, agent: agents[ti] }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode));
        });
        req.on('error', () => resolve(0));
        req.end();
    });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: clients }, async (_, w) => {
        const ti = w % targets.length;
        const k = Math.floor(w / targets.length) % tokens.length;
        while (Date.now() < end) {
            const ms = nextMs(k);
            if (ms === null) {
                await sleep(1);
                continue;
            }
            const status = await get(ti, `${targets[ti]}b${k}`, tedeeKey(tokens[k], ms));
            if (status === 200) counts.ok++;
            else counts.other++;
            counts.statuses[status] = (counts.statuses[status] || 0) + 1;
        }
    }));
    counts.seconds = (Date.now() - t0) / 1000;
    counts.perSec = counts.ok / counts.seconds;
    return counts;
}

async function throughput({ smoke, redis }) {
    const nr = require('../test/support/nodered-process');
    const tokens = Array.from({ length: 8 }, (_, k) => `BenchHttpToken${k}-` + crypto.randomBytes(4).toString('hex'));
    const env = { REDIS_URL: redis.url };
    tokens.forEach((tok, k) => { env['BENCH_TOKEN_' + k] = tok; });
    const seconds = smoke ? 0.5 : 8;
    const clients = smoke ? 12 : 48;
    const reds = await Promise.all([0, 1, 2].map(() => nr.start({ link: true, env })));
    const agents = reds.map(() => new http.Agent({ keepAlive: true, maxSockets: 64 }));
    try {
        for (const red of reds) await red.api.deploy(httpFlows(tokens, 'redis'));
        const ready = async (targets) => {
            const end = Date.now() + 15000;
            for (;;) {
                const rs = await Promise.all(targets.map((u, i) => new Promise((resolve) => {
                    http.get(`${u}b0`, { agent: agents[i] }, (res) => { res.resume(); resolve(res.statusCode); }).on('error', () => resolve(0));
                })));
                if (rs.every((s) => s === 401)) return;
                if (Date.now() > end) throw new Error('bench: instances not ready: ' + rs.join(','));
                await sleep(50);
            }
        };
        const urls = reds.map((r) => r.url);
        await ready(urls);
        await drive(urls, tokens, { clients, seconds: smoke ? 0.2 : 1.5, agents }); // warm-up
        const three = await drive(urls, tokens, { clients, seconds, agents });
        const one = await drive([urls[0]], tokens, { clients, seconds, agents });
        await reds[0].api.deploy(httpFlows(tokens, 'memory'));
        await ready([urls[0]]);
        await drive([urls[0]], tokens, { clients, seconds: smoke ? 0.2 : 1.5, agents });
        const memory = await drive([urls[0]], tokens, { clients, seconds, agents });
        for (const [what, c] of Object.entries({ three, one, memory })) {
            assert.strictEqual(c.other, 0, `bench: ${what}: requests not accepted: ${JSON.stringify(c.statuses)}`);
        }
        return {
            via: 'real HTTP, keep-alive, ' + clients + ' clients, ' + tokens.length + ' tokens, ' + seconds + ' s each',
            clients, seconds, tokens: tokens.length,
            redis3: { perSec: three.perSec, requests: three.ok },
            redis1: { perSec: one.perSec, requests: one.ok },
            memory1: { perSec: memory.perSec, requests: memory.ok },
        };
    } finally {
        for (const a of agents) a.destroy();
        await Promise.all(reds.map((r) => r.stop()));
    }
}

// ---- the section ----------------------------------------------------------------------------

async function run({ smoke = false } = {}) {
    const helper = require('node-red-node-test-helper');
    helper.init(require.resolve('node-red'));
    let redis = null;
    let skipped = null;
    try {
        redis = await require('../test/support/redis').start();
    } catch (err) {
        skipped = 'no redis-server: ' + String(err.message).split('\n')[0];
    }
    try {
        const node = await perRequest(helper, { smoke, redisUrl: redis && redis.url });
        const http3 = redis ? await throughput({ smoke, redis }) : null;
        const v = { skipped, perRequest: node, throughput: http3 };
        return { title: 'verify node: the replay memory in this Node-RED and in Redis', tables: table(v), ...v };
    } finally {
        if (redis) await redis.stop();
    }
}

const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : '-');
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');

/** The rows to print: [[header…], [row…], …] for each of the two tables. */
function table(v) {
    const p = v.perRequest;
    const a = [['verify node, per request (' + p.messages + ' msgs/burst)', 'µs/msg', 'msgs/s', 'net µs/msg', 'sequential µs/msg']];
    const row = (label, r, net) => a.push([label, r ? f1(r.burstUsPerMsg) : '-', r ? f0(r.msgsPerSec) : '-', f1(net), r ? f1(r.sequentialUsPerMsg) : '-']);
    row('verify, memory in this Node-RED', p.memory, p.memoryNetUs);
    row('verify, Redis on loopback', p.redis, p.redisNetUs);
    row('no verify (src → sink)', p.none, 0);
    const t = v.throughput;
    const b = [['verify over HTTP' + (t ? ` (${t.clients} clients, ${t.seconds} s)` : ''), 'requests/s']];
    b.push(['3 instances, one Redis', t ? f0(t.redis3.perSec) : '-']);
    b.push(['1 instance, Redis', t ? f0(t.redis1.perSec) : '-']);
    b.push(['1 instance, memory', t ? f0(t.memory1.perSec) : '-']);
    if (v.skipped) b.push(['(Redis figures skipped: ' + v.skipped + ')', '']);
    return [a, b];
}

module.exports = { run, table };

if (require.main === module) {
    run({ smoke: process.argv.includes('--smoke') }).then((v) => {
        const fmt = (rows) => {
            const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
            return rows.map((r, j) => {
                const line = r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
                return j === 0 ? line + '\n' + widths.map((w) => '-'.repeat(w)).join('  ') : line;
            }).join('\n');
        };
        for (const rows of table(v)) console.log('\n' + fmt(rows));
        console.log('\n' + path.relative(process.cwd(), __filename) + ': ' + JSON.stringify(v.throughput ? v.throughput.via : v.skipped));
    }, (err) => {
        console.error(err && err.stack ? err.stack : err);
        process.exit(1);
    });
}
