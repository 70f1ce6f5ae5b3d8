'use strict';
// Cold-cache exchange: 1000 messages arrive at once at an auth node whose config node has no
// token yet. The single-flight cache must make exactly ONE exchange request, and all 1000
// messages are released (decorated, out of output 1) when it answers.
//
//   src ─→ api-auth (nightscout jwt | timbr exchange | actyx | oauth2) ─out1→ sink
//
// Nightscout, Timbr and Actyx answer from the fakes of test/fakes; OAuth 2.0 from the real
// authorization server of test/support/oidc.js (oidc-provider), client credentials grant.
//
// Every exchange scheme of the core is here; one more is one entry in TARGETS
// (start the fake, the config node's properties and credentials, what the released header is).
//
// Every round deploys a fresh flow (cold cache) against a fresh fake; the figure is the median
// time from the first send to the last release, and the largest exchange count of all rounds.

const assert = require('node:assert');
const helper = require('node-red-node-test-helper');
const { now, median } = require('./lib');
const nightscout = require('../test/fakes/nightscout');
const actyx = require('../test/fakes/actyx');
const timbr = require('../test/fakes/timbr');
const oidc = require('../test/support/oidc');

helper.init(require.resolve('node-red'));
const configNode = require('../nodes/api-auth-config.js');
const authNode = require('../nodes/api-auth.js');

const NS_SUBJECTS = [{ id: '5f0000000000000000000001', name: 'Node-RED reader', roles: ['readable'] }];
const TIMBR_SALT = 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=';
const ACTYX_MANIFEST = { appId: 'com.example.nodered', displayName: 'Node-RED', appVersion: '1.0.0' };

const TARGETS = {
    nightscout: {
        start: () => nightscout.start({ apiSecret: 'abcdefghij123456', subjects: NS_SUBJECTS }),
        config: (fake) => ({ props: { scheme: 'nightscout', mode: 'jwt', baseUrl: fake.url }, creds: { token: fake.tokenFor('Node-RED reader') } }),
        check: (h) => /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/.test(h.Authorization || ''),
    },
    timbr: {
        start: () => timbr.start({ salt: TIMBR_SALT, users: { admin: 'secret' } }),
        config: (fake) => ({ props: { scheme: 'timbr', mode: 'exchange', baseUrl: fake.url }, creds: { username: 'admin', password: 'secret', salt: TIMBR_SALT } }),
        check: (h) => /^tk_\S+$/.test(h['x-api-key'] || ''),
    },
    actyx: {
        start: () => actyx.start(),
        config: (fake) => ({ props: { scheme: 'actyx', mode: 'exchange', baseUrl: fake.url, ...ACTYX_MANIFEST }, creds: {} }),
        check: (h) => /^Bearer \S+$/.test(h.Authorization || ''),
    },
    oauth2: {
        // the real server, seen through the shape of the fakes: url, stats.exchanges, close()
        start: async () => {
            const o = await oidc.start({ ttlSeconds: 300 });
            return { url: o.issuer, oidc: o, stats: { get exchanges() { return o.stats.tokenRequests.length; } }, close: () => o.close() };
        },
        config: (fake) => ({
            props: { scheme: 'oauth2', mode: 'client-credentials', tokenUrl: fake.oidc.tokenUrl, scope: 'read', clientAuth: 'basic' },
            creds: { clientId: fake.oidc.clients.basic.id, clientSecret: fake.oidc.clients.basic.secret },
        }),
        check: (h) => /^Bearer \S+$/.test(h.Authorization || ''),
    },
};

async function once(name, n) {
    const t = TARGETS[name];
    const fake = await t.start();
    try {
        const { props, creds } = t.config(fake);
        const flow = [
            { id: 'tab', type: 'tab', label: 'bench' },
            { id: 'cfg', type: 'api-auth-config', name: 'bench ' + name, ...props },
            { id: 'src', type: 'helper', z: 'tab', x: 100, y: 100, wires: [['auth']] },
            { id: 'auth', type: 'api-auth', z: 'tab', x: 200, y: 100, config: 'cfg', wires: [['sink'], []] },
            { id: 'sink', type: 'helper', z: 'tab', x: 300, y: 100 },
        ];
        await helper.load([configNode, authNode], flow, { cfg: creds });
        helper._sandbox.restore(); // no sinon spies on send (see flow.js)
        try {
            const cfg = helper.getNode('cfg');
            assert.ok(!cfg.problem, String(cfg.problem));
            assert.strictEqual(cfg.currentToken(), null, 'the cache is not cold');
            const src = helper.getNode('src');
            const sink = helper.getNode('sink');
            const ms = await new Promise((resolve, reject) => {
                let arrived = 0;
                const timer = setTimeout(() => reject(new Error(`${name}: only ${arrived}/${n} messages released`)), 60000);
                sink.on('input', (msg) => {
                    if (!t.check(msg.headers || {})) { clearTimeout(timer); reject(new Error(`${name}: a message was released without the exchanged token`)); return; }
                    if (++arrived === n) { clearTimeout(timer); resolve(Number(now() - t0) / 1e6); }
                });
                const t0 = now();
                for (let i = 0; i < n; i++) src.send({ payload: i, url: `${fake.url}/api/v3/entries`, method: 'GET' });
            });
            return { ms, exchanges: fake.stats.exchanges };
        } finally {
            await helper.unload();
        }
    } finally {
        await fake.close();
    }
}

async function run({ smoke = false } = {}) {
    const n = 1000;
    const rounds = smoke ? 1 : 7;
    const warmup = smoke ? 0 : 1; // the first deploy also pays for JIT warm-up: not counted
    const out = {};
    for (const name of Object.keys(TARGETS)) out[name] = { messages: n, rounds, samplesMs: [], exchangesPerRound: [] };
    // interleaved: nightscout, actyx, nightscout, …
    for (let r = 0; r < warmup + rounds; r++) {
        for (const name of Object.keys(TARGETS)) {
            const { ms, exchanges } = await once(name, n);
            if (r >= warmup) out[name].samplesMs.push(ms);
            out[name].exchangesPerRound.push(exchanges);
        }
    }
    for (const name of Object.keys(TARGETS)) {
        const o = out[name];
        o.releaseMs = median(o.samplesMs);
        o.exchanges = Math.max(...o.exchangesPerRound);
    }
    return out;
}

module.exports = { run };
