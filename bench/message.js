'use strict';
// ns per message ON THE PATH THE AUTH NODE RUNS, for every scheme: the real nodes/api-auth.js
// (and its config node) loaded with a minimal RED (red-stub.js), its 'input' handler called with
// a new request message, until the message is sent on output 1. So the figure cannot drift from
// the node: it is the node. What it includes: everything the node does per message (the request
// copy kept for the 401 loop, authFor(), the header merge, msg.followRedirects, the marker, the
// promise of its async handler). What it does not: the runtime's routing (flow.js has that).
//
//   static (timetagger, timbr token, nightscout secret/token, header): the headers the core built
//     once (cfg.staticAuth), copied — no call into WASM per message;
//   fresh (tedee encrypted): one key per message, read from the core's key buffer
//     (nodes/lib/fresh-key.js);
//   exchanged, warm cache (nightscout jwt, timbr exchange, actyx): cfg.getToken() answers from
//     the cache, cfg.tokenAuth(token) is the object built once per token.
//
// Peers, through the same stub and the same driver: the hand-written nodes of
// bench/nodes/hand-written.js (a constant header for static and exchanged tokens — a warm cache
// is a variable — and crypto.hash for Tedee). Ratio = per-round auth/peer.
//
// "auth work" (static schemes): only what the node does to put the credential on the message —
// the plan of cfg.staticAuth and its merge into a copy of the flow's headers, through the node's
// own nodes/lib/auth-headers.js, checked to give the real node's msg.headers and msg.url.

const assert = require('node:assert');
const { createRED } = require('./red-stub');
const { interleaved, interleavedAsync, pairedRatio } = require('./lib');
const handWritten = require('./nodes/hand-written');
const { planOf, withAuth, withQuery } = require('../nodes/lib/auth-headers');
const nightscout = require('../test/fakes/nightscout');
const actyx = require('../test/fakes/actyx');
const timbr = require('../test/fakes/timbr');

const TEDEE_TOKEN = 'BE9xnPnGfVUS';
const NS_TOKEN_SUBJECT = 'Node-RED reader';
const TIMBR_SALT = 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=';
const URL = 'http://127.0.0.1:1/api/v1/entries';

/** Every scheme the node signs, with its peer. */
function schemes(fakes) {
    return [
        { name: 'timetagger authtoken', kind: 'static', props: { scheme: 'timetagger', mode: 'authtoken' }, creds: { token: 'tt-bench-0123456789' }, peer: { header: 'authtoken', token: 'tt-bench-0123456789' } },
        { name: 'timbr token', kind: 'static', props: { scheme: 'timbr', mode: 'token' }, creds: { token: 'tk_bench0123456789' }, peer: { header: 'x-api-key', token: 'tk_bench0123456789' } },
        { name: 'nightscout secret', kind: 'static', props: { scheme: 'nightscout', mode: 'secret' }, creds: { secret: 'abcdefghij123456' }, peer: { header: 'api-secret', token: require('node:crypto').createHash('sha1').update('abcdefghij123456').digest('hex') } },
        { name: 'nightscout token (query)', kind: 'static', props: { scheme: 'nightscout', mode: 'token', placement: 'query' }, creds: { token: 'noderedrea-ecaba170b88208db' }, peer: { header: 'x-bench', token: 'noderedrea-ecaba170b88208db' } },
        { name: 'header', kind: 'static', props: { scheme: 'header', headerName: 'X-Api-Key', prefix: 'Key ' }, creds: { token: 'bench-0123456789' }, peer: { header: 'X-Api-Key', token: 'Key bench-0123456789' } },
        { name: 'tedee encrypted', kind: 'fresh', props: { scheme: 'tedee', mode: 'encrypted' }, creds: { token: TEDEE_TOKEN }, peer: { tedee: true } },
        { name: 'tedee encrypted (query)', kind: 'fresh', props: { scheme: 'tedee', mode: 'encrypted', placement: 'query' }, creds: { token: TEDEE_TOKEN }, peer: { tedee: true } },
        { name: 'nightscout jwt (warm)', kind: 'exchange', props: { scheme: 'nightscout', mode: 'jwt', baseUrl: fakes.nightscout.url }, creds: { token: fakes.nightscout.tokenFor(NS_TOKEN_SUBJECT) }, peer: { header: 'Authorization', bearer: true } },
        { name: 'timbr exchange (warm)', kind: 'exchange', props: { scheme: 'timbr', mode: 'exchange', baseUrl: fakes.timbr.url }, creds: { username: 'admin', password: 'secret', salt: TIMBR_SALT }, peer: { header: 'x-api-key', bearer: false } },
        { name: 'actyx (warm)', kind: 'exchange', props: { scheme: 'actyx', mode: 'exchange', baseUrl: fakes.actyx.url, appId: 'com.example.nodered', displayName: 'Node-RED', appVersion: '1.0.0' }, creds: {}, peer: { header: 'Authorization', bearer: true } },
    ];
}

const newMsg = (i) => ({ payload: i, url: URL, headers: { accept: 'application/json' } });

/** Drive node's 'input' handler: n messages, resolved when n have been sent. */
function driver(node) {
    const handler = node.listeners('input')[0];
    let failure = null;
    const done = (err) => { if (err) failure = err; };
    return (n) => new Promise((resolve, reject) => {
        let left = n;
        const send = () => { if (--left === 0) resolve(); };
        for (let i = 0; i < n; i++) handler.call(node, newMsg(i), send, done);
        if (failure) reject(failure);
    });
}

/** One message through the handler; resolves with the message as sent. */
function one(node) {
    const handler = node.listeners('input')[0];
    return new Promise((resolve, reject) => {
        handler.call(node, newMsg(0), (out) => resolve(Array.isArray(out) ? out[0] : out), (err) => { if (err) reject(err); });
    });
}

/** What decorate() of nodes/api-auth.js does for a static scheme, with its own functions. */
function staticAuthWork(cfg, msg) {
    const plan = planOf(cfg.staticAuth);
    const headers = withAuth(msg.headers, plan);
    msg.url = plan.query ? withQuery(URL, plan) : URL;
    msg.headers = headers;
    return msg;
}

async function startFakes() {
    const [ns, tb, ax] = await Promise.all([
        nightscout.start({ apiSecret: 'abcdefghij123456', subjects: [{ id: '5f0000000000000000000001', name: NS_TOKEN_SUBJECT, roles: ['readable'] }] }),
        timbr.start({ salt: TIMBR_SALT, users: { admin: 'secret' } }),
        actyx.start(),
    ]);
    return { nightscout: ns, timbr: tb, actyx: ax, close: () => Promise.all([ns.close(), tb.close(), ax.close()]) };
}

async function run({ smoke = false } = {}) {
    const opts = smoke ? { rounds: 3, warmup: 1, iters: 200 } : { rounds: 31, warmup: 5, iters: 2000 };
    const fakes = await startFakes();
    const credentials = {};
    const list = schemes(fakes);
    list.forEach((s, i) => {
        credentials['cfg' + i] = s.creds;
        credentials['peer' + i] = { token: s.peer.token || TEDEE_TOKEN };
    });
    const { RED, create, close } = createRED({ credentials });
    require('../nodes/api-auth-config.js')(RED);
    require('../nodes/api-auth.js')(RED);
    handWritten(RED);
    const out = { schemes: {}, staticAuthWork: {} };
    try {
        for (let i = 0; i < list.length; i++) {
            const s = list[i];
            const cfg = create({ id: 'cfg' + i, type: 'api-auth-config', name: s.name, ...s.props });
            assert.ok(!cfg.problem, `${s.name}: ${cfg.problem && cfg.problem.message}`);
            assert.strictEqual(cfg.kind, s.kind, s.name);
            const auth = create({ id: 'auth' + i, type: 'api-auth', config: 'cfg' + i, wires: [[], []] });
            let peerProps = { id: 'peer' + i, type: 'bench-static-header', header: s.peer.header };
            if (s.peer.tedee) peerProps = { id: 'peer' + i, type: 'bench-tedee-hash' };
            if (s.kind === 'exchange') {
                const token = await cfg.getToken(); // warm the cache: one real exchange against the fake
                credentials['peer' + i] = { token: s.peer.bearer ? 'Bearer ' + token : token };
            }
            const peer = create(peerProps);

            // what the node sends is what the scheme asks for, and the peer sends the same
            const a = await one(auth);
            const p = await one(peer);
            if (s.kind === 'fresh') {
                const key = s.props.placement === 'query' ? new globalThis.URL(a.url).searchParams.get('api_token') : a.headers.api_token;
                const ms = key.slice(64);
                assert.strictEqual(key, handWritten.sha256hex(TEDEE_TOKEN + ms) + ms, s.name);
                assert.match(p.headers.api_token, /^[0-9a-f]{64}\d{13}$/);
            } else if (s.props.placement !== 'query') {
                const name = Object.keys(p.headers).find((k) => k !== 'accept');
                assert.strictEqual(a.headers[name], p.headers[name], `${s.name}: the peer sends another credential`);
            } else {
                assert.match(a.url, /[?&]token=noderedrea-ecaba170b88208db$/);
            }
            if (s.kind === 'static') {
                const replica = staticAuthWork(cfg, newMsg(0));
                assert.deepStrictEqual({ headers: replica.headers, url: replica.url }, { headers: a.headers, url: a.url }, `${s.name}: the replica of decorate() differs from the node`);
                const w = interleaved([{ key: 'work', fn: () => staticAuthWork(cfg, newMsg(0)) }, { key: 'msg', fn: () => newMsg(0) }], smoke ? opts : { ...opts, iters: 20000 });
                // the message itself is made by the flow, not by the node: take it off
                out.staticAuthWork[s.name] = { ns: w.work.ns - w.msg.ns, withMsgNs: w.work.ns, msgNs: w.msg.ns, samples: w.work.samples.map((x, j) => x - w.msg.samples[j]) };
            }

            const cases = [{ key: 'auth', fn: driver(auth) }, { key: 'peer', fn: driver(peer) }];
            const r = await interleavedAsync(cases, opts);
            out.schemes[s.name] = {
                kind: s.kind,
                peer: peerProps.type,
                authNs: r.auth.ns, authP10: r.auth.p10, authP90: r.auth.p90,
                peerNs: r.peer.ns,
                authOverPeer: pairedRatio(r.auth.samples, r.peer.samples),
            };
            if (s.kind === 'exchange') {
                const fake = fakes[s.props.scheme];
                out.schemes[s.name].exchanges = fake.stats.exchanges;
            }
        }
    } finally {
        await close();
        await fakes.close();
    }
    const works = Object.values(out.staticAuthWork).map((w) => w.ns);
    out.staticAuthWorkMaxNs = Math.max(...works);
    return out;
}

module.exports = { run, staticAuthWork };
