'use strict';
// Nothing leaks: a REAL Node-RED runtime (red.js, its own userDir, this package linked in) runs
// flows with EVERY scheme against the fakes — successes, wrong secrets, a server that is down,
// 401/403 loops that recover and ones that fail — while the test captures:
//   flows.json; the editor's view (GET /flows, GET /credentials/api-auth-config/:id);
//   Node-RED's log (stdout + stderr); everything the editor's comms websocket carries (every
//   node status, every debug message: the msg leaving each auth node on output 1 in full, the
//   final responses, the Catch node's errors).
// Each secret (token, API secret, password, salt, env value) and each derived credential (the
// Nightscout SHA-1, the JWTs, Timbr tk_ tokens, Actyx tokens, Tedee keys, OAuth 2.0 access and
// refresh tokens — the rotated ones too —, from a real authorization server) may appear ONLY in the
// header (or query parameter) it belongs to, on a msg leaving an auth node. Everything else is
// grepped for every one of them.
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const nr = require('./support/nodered-process');
const faulty = require('./support/faulty-servers');
const tedee = require('./fakes/tedee');
const nightscout = require('./fakes/nightscout');
const timbr = require('./fakes/timbr');
const actyx = require('./fakes/actyx');
const oidcFixture = require('./support/oidc');
const core = require('../pkg/api_auth_core.js');

/** Credentials that are names, not secrets (a user name, an OAuth client id): the editor may see them. */
const NAMES = new Set(core.schemeTable().flatMap((api) => Object.entries(api.fields).filter(([, f]) => f.credential && f.kind === 'name').map(([n]) => n)));

const S = {
    tt: 'ttTOKENsecret0a1b2c3d4e5f',
    ttEnv: 'ttENVsecret9z8y7x6w5v4u',
    tbToken: 'tk_STATICsecret7c6d5e4f',
    tbPassword: 'tbPASSWORDsecret314159',
    tbWrongPassword: 'tbWRONGpasswordSecret2718',
    tbSalt: crypto.randomBytes(32).toString('base64url') + '=',
    nsSecret: 'nsAPISECRETvalue0123456',
    nsWrongAccess: 'wrongreade-0123456789abcdef',
    tdToken: 'tdTOKENsecretQ1w2E3',
    tdWrong: 'tdWRONGsecretR4t5Y6',
    hdQuery: 'hdQUERYsecret8i9o0p',
    hd: 'hdHEADERsecretA1s2D3f4',
    oaWrong: 'oaWRONGclientSecret5j6k',
};
const ENV_NAME = 'API_AUTH_LEAK_TT_TOKEN';
const sha1 = (s) => crypto.createHash('sha1').update(s).digest('hex');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('secrets: no token, secret, password or salt leaks anywhere (real Node-RED runtime, every scheme)', function () {
    this.timeout(90000);
    let red; let ws; const frames = [];
    let sink; let bridge; let ns; let tb; let ax; let closedPort; let oidc; let storedRefresh;

    const chains = {}; // name -> { legit: {header?: name, query?: name}, expect: 'out'|'err' }

    function flows() {
        const list = [{ id: 'tab', type: 'tab', label: 'leak' }];
        let y = 40;
        const chain = (name, props, creds, url, { expect = 'out', legitHeader, legitQuery } = {}) => {
            chains[name] = { expect, legitHeader, legitQuery };
            list.push({ id: 'cfg-' + name, type: 'api-auth-config', name, ...props, credentials: creds });
            list.push({
                id: 'inj-' + name, type: 'inject', z: 'tab', name: 'inj-' + name, x: 100, y,
                props: [{ p: 'payload', v: 'hello', vt: 'str' }, { p: 'url', v: url, vt: 'str' }, { p: 'method', v: 'GET', vt: 'str' }],
                repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', wires: [['auth-' + name]],
            });
            list.push({ id: 'auth-' + name, type: 'api-auth', z: 'tab', name: 'auth-' + name, config: 'cfg-' + name, x: 300, y, wires: [['http-' + name, 'sent-' + name], ['out-' + name]] });
            list.push({
                id: 'http-' + name, type: 'http request', z: 'tab', name: 'http-' + name, method: 'use', ret: 'obj', paytoqs: 'ignore',
                url: '', tls: '', persist: false, proxy: '', insecureHTTPParser: false, authType: '', senderr: false, headers: [],
                x: 500, y, wires: [['auth-' + name]],
            });
            for (const kind of ['sent', 'out']) {
                list.push({
                    id: `${kind}-${name}`, type: 'debug', z: 'tab', name: `${kind}-${name}`, active: true, tosidebar: true,
                    console: kind === 'out', tostatus: false, complete: 'true', targetType: 'full', x: 700, y: y + (kind === 'out' ? 20 : 0), wires: [],
                });
            }
            y += 60;
        };
        chain('tt', { scheme: 'timetagger', mode: 'authtoken' }, { token: S.tt }, `${sink.url}/sink/tt`, { legitHeader: 'authtoken' });
        chain('tt-env', { scheme: 'timetagger', mode: 'bearer' }, { token: '${' + ENV_NAME + '}' }, `${sink.url}/sink/tt`, { legitHeader: 'Authorization' });
        chain('tb-token', { scheme: 'timbr', mode: 'token' }, { token: S.tbToken }, `${tb.url}/timbr/api/ontologies`, { legitHeader: 'x-api-key' });
        chain('tb-ex', { scheme: 'timbr', mode: 'exchange', baseUrl: tb.url }, { username: 'admin', password: S.tbPassword, salt: S.tbSalt }, `${tb.url}/timbr/api/ontologies`, { legitHeader: 'x-api-key' });
        chain('tb-bad', { scheme: 'timbr', mode: 'exchange', baseUrl: tb.url }, { username: 'admin', password: S.tbWrongPassword, salt: S.tbSalt }, `${tb.url}/timbr/api/ontologies`, { expect: 'err' });
        chain('ns-secret', { scheme: 'nightscout', mode: 'secret' }, { secret: S.nsSecret }, `${ns.url}/api/v1/entries.json`, { legitHeader: 'api-secret' });
        chain('ns-jwt', { scheme: 'nightscout', mode: 'jwt', baseUrl: ns.url }, { token: ns.tokenFor('Node-RED reader') }, `${ns.url}/api/v3/entries`, { legitHeader: 'Authorization' });
        chain('ns-bad', { scheme: 'nightscout', mode: 'jwt', baseUrl: ns.url }, { token: S.nsWrongAccess }, `${ns.url}/api/v3/entries`, { expect: 'err' });
        chain('ns-down', { scheme: 'nightscout', mode: 'jwt', baseUrl: `http://127.0.0.1:${closedPort}` }, { token: ns.tokenFor('Node-RED reader') }, `${ns.url}/api/v3/entries`, { expect: 'err' });
        chain('td', { scheme: 'tedee', mode: 'encrypted' }, { token: S.tdToken }, `${bridge.base}/bridge`, { legitHeader: 'api_token' });
        chain('td-bad', { scheme: 'tedee', mode: 'encrypted' }, { token: S.tdWrong }, `${bridge.base}/bridge`, { expect: 'err', legitHeader: 'api_token' });
        chain('ax', { scheme: 'actyx', baseUrl: ax.url, appId: 'com.example.app', displayName: 'Leak test', appVersion: '1.0.0' }, {}, `${ax.url}/api/v2/node/id`, { legitHeader: 'Authorization' });
        chain('hd-query', { scheme: 'header', placement: 'query', queryName: 'api_key' }, { token: S.hdQuery }, `${sink.url}/sink/hd?x=1`, { legitQuery: 'api_key' });
        chain('hd', { scheme: 'header', headerName: 'X-Api-Key', prefix: 'Key ' }, { token: S.hd }, `${sink.url}/sink/hd`, { legitHeader: 'X-Api-Key' });
        const oa = { scheme: 'oauth2', tokenUrl: oidc.tokenUrl };
        const { basic, refresh } = oidc.clients;
        chain('oa-cc', { ...oa, mode: 'client-credentials', scope: 'read' }, { clientId: basic.id, clientSecret: basic.secret }, oidc.resourceUrl, { legitHeader: 'Authorization' });
        chain('oa-bad', { ...oa, mode: 'client-credentials', clientAuth: 'post' }, { clientId: basic.id, clientSecret: S.oaWrong }, oidc.resourceUrl, { expect: 'err' });
        chain('oa-rt', { ...oa, mode: 'refresh-token' }, { clientId: refresh.id, clientSecret: refresh.secret, refreshToken: storedRefresh }, oidc.resourceUrl, { legitHeader: 'Authorization' });
        list.push({ id: 'catch', type: 'catch', z: 'tab', name: 'catch', scope: null, uncaught: false, x: 100, y: y + 40, wires: [['err']] });
        list.push({ id: 'err', type: 'debug', z: 'tab', name: 'err', active: true, tosidebar: true, console: true, tostatus: false, complete: 'true', targetType: 'full', x: 300, y: y + 40, wires: [] });
        return list;
    }

    /** Debug messages (parsed) of the debug node `name`. */
    function debugOf(name) {
        const out = [];
        for (const f of frames) {
            for (const m of f) {
                if (m.topic === 'debug' && m.data && m.data.name === name) {
                    let msg;
                    try { msg = JSON.parse(m.data.msg); } catch (_) { msg = m.data.msg; }
                    out.push(msg);
                }
            }
        }
        return out;
    }

    async function waitFor(pred, what, ms = 20000) {
        const deadline = Date.now() + ms;
        while (!pred()) {
            if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nlog:\n${red.logs().slice(-3000)}`);
            await sleep(50);
        }
    }

    const errorsFor = (name) => debugOf('err').filter((m) => m.error && m.error.source && m.error.source.id === 'auth-' + name);

    before(async function () {
        sink = await faulty.start();
        closedPort = await faulty.closedPort();
        bridge = await tedee.start({ token: S.tdToken });
        ns = await nightscout.start({ apiSecret: S.nsSecret, subjects: [{ id: '5f0000000000000000000001', name: 'Node-RED reader', roles: ['readable'] }], penaltyMs: 100 });
        tb = await timbr.start({ salt: S.tbSalt, users: { admin: S.tbPassword } });
        tb.tokens.set(S.tbToken, { user: 'admin', revoked: false });
        ax = await actyx.start();
        oidc = await oidcFixture.start();
        storedRefresh = await oidc.obtainRefreshToken();
        red = await nr.start({ link: true, env: { [ENV_NAME]: S.ttEnv }, args: ['-D', 'credentialSecret=leak-test-credential-secret'] });
        const WebSocket = require(require.resolve('ws', { paths: [path.dirname(require.resolve('node-red/package.json'))] }));
        ws = new WebSocket(red.url.replace(/^http/, 'ws') + 'comms');
        ws.on('message', (d) => { try { const v = JSON.parse(d.toString()); frames.push(Array.isArray(v) ? v : [v]); } catch (_) { /* ignore */ } });
        await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
        ws.send(JSON.stringify({ subscribe: 'debug' }));
        ws.send(JSON.stringify({ subscribe: 'status/#' }));
        await sleep(200);
        await red.api.deploy(flows());
        await sleep(500);
    });

    after(async function () {
        if (ws) ws.close();
        if (red) await red.stop();
        for (const s of [sink, bridge, ns, tb, ax, oidc]) if (s) await s.close();
    });

    it('runs every scheme: successes, wrong secrets, a server down, a 401 loop that recovers and one that fails', async function () {
        for (const name of Object.keys(chains)) await red.api.inject('inj-' + name);
        for (const [name, c] of Object.entries(chains)) {
            if (c.expect === 'out') await waitFor(() => debugOf('out-' + name).length >= 1, `a response on ${name}`);
            else await waitFor(() => errorsFor(name).length >= 1, `an error on ${name}`);
        }
        for (const [name, c] of Object.entries(chains)) {
            if (c.expect !== 'out') continue;
            const r = debugOf('out-' + name)[0];
            assert.strictEqual(r.statusCode, 200, `${name}: ${JSON.stringify(r.payload)}`);
        }
        // a 401/403 loop that recovers: Timbr revokes every token, the node re-exchanges once
        tb.revokeAll();
        await red.api.inject('inj-tb-ex');
        await waitFor(() => debugOf('out-tb-ex').length >= 2, 'tb-ex after the revocation');
        assert.strictEqual(debugOf('out-tb-ex')[1].statusCode, 200);
        // and one more round of the failing ones (refusals are remembered: no hammering)
        for (const name of ['tb-bad', 'ns-bad', 'td-bad', 'oa-bad']) await red.api.inject('inj-' + name);
        await waitFor(() => ['tb-bad', 'ns-bad', 'td-bad', 'oa-bad'].every((n) => errorsFor(n).length >= 2), 'second errors');
        assert.match(errorsFor('oa-bad')[0].error.message, /HTTP 401 invalid_client: client authentication failed/);
        // OAuth 2.0: the refresh token was rotated (and the node said so, without it)
        assert.ok(oidc.stats.tokenRequests.some((t) => t.grantType === 'refresh_token' && t.body.refresh_token && t.body.refresh_token !== storedRefresh));
        assert.match(errorsFor('td-bad')[0].error.message, /HTTP 401.*Invalid token.*also with a fresh key/);
        assert.match(errorsFor('ns-down')[0].error.message, /connection refused/);
        assert.ok(Object.keys(chains).length >= 14);
        await sleep(300); // the last statuses and log lines
    });

    it('the secrets and every derived credential appear only in their own header / query parameter', async function () {
        // derived credentials, collected from where they legitimately are
        const derived = new Set([sha1(S.nsSecret), ns.tokenFor('Node-RED reader')]);
        for (const tk of tb.tokens.keys()) derived.add(tk);
        // OAuth 2.0: the client secrets, the stored refresh token, and every token the server issued
        derived.add(oidc.clients.basic.secret).add(oidc.clients.refresh.secret).add(storedRefresh);
        for (const t of oidc.stats.tokenRequests) for (const k of ['access_token', 'refresh_token']) if (t.body && t.body[k]) derived.add(t.body[k]);
        const legitValues = [];
        for (const [name, c] of Object.entries(chains)) {
            for (const m of debugOf('sent-' + name)) {
                if (c.legitHeader) {
                    const v = m.headers && m.headers[c.legitHeader];
                    assert.ok(typeof v === 'string' && v, `${name}: the auth header ${c.legitHeader} is on the msg`);
                    legitValues.push(v);
                    const bare = v.replace(/^(Bearer|Key) /, '');
                    if (bare.length >= 12) derived.add(bare);
                }
                if (c.legitQuery) assert.ok(new URL(m.url).searchParams.get(c.legitQuery), `${name}: key in the query`);
            }
        }
        const secrets = [...Object.values(S), ...derived].filter((s) => s.length >= 12);
        assert.ok(secrets.length >= 20, `secrets to look for: ${secrets.length}`);

        /** Remove what may legitimately hold a credential from a debug msg, return the rest as text. */
        const scrub = (name, msg, isSent) => {
            const c = chains[name] || {};
            const copy = JSON.parse(JSON.stringify(msg));
            // only the msg on output 1 (to the http request node) may carry the credential
            if (isSent && c.legitHeader && copy.headers) delete copy.headers[c.legitHeader];
            if (isSent && c.legitQuery && typeof copy.url === 'string') {
                copy.url = copy.url.replace(new RegExp(`([?&]${c.legitQuery}=)[^&#]*`), '$1<legit>');
            }
            return JSON.stringify(copy);
        };

        const haystacks = [];
        // 1. comms: every status and debug message
        for (const f of frames) {
            for (const m of f) {
                if (m.topic === 'debug' && m.data && typeof m.data.name === 'string') {
                    const [, kind, name] = /^(sent|out)-(.*)$/.exec(m.data.name) || [];
                    let msg;
                    try { msg = JSON.parse(m.data.msg); } catch (_) { msg = null; }
                    const rest = { ...m.data, msg: undefined };
                    haystacks.push([`debug ${m.data.name} (envelope)`, JSON.stringify(rest)]);
                    haystacks.push([`debug ${m.data.name}`, kind && msg ? scrub(name, msg, kind === 'sent') : String(m.data.msg)]);
                } else {
                    haystacks.push([`comms ${m.topic}`, JSON.stringify(m)]);
                }
            }
        }
        assert.ok(frames.flat().some((m) => String(m.topic).startsWith('status/')), 'statuses were captured');
        assert.ok(debugOf('err').length >= 7, 'errors were captured');
        // 2. Node-RED's log (the out-* debug nodes print the final responses to the console too:
        // their msg.url and msg.responseUrl no longer carry a query-placed key)
        const log = red.logs();
        assert.ok(log.includes('/sink/hd?x=1'), 'the response msg printed by a debug node carries its url');
        haystacks.push(['Node-RED log (stdout+stderr)', log]);
        // 3. flows.json and the editor's view
        const flowFile = path.join(red.userDir, 'flows.json');
        haystacks.push(['flows.json', fs.readFileSync(flowFile, 'utf8')]);
        haystacks.push(['GET /flows', await (await red.api.get('/flows', { 'Node-RED-API-Version': 'v2' })).text()]);
        for (const name of Object.keys(chains)) {
            const body = await (await red.api.get(`/credentials/api-auth-config/cfg-${name}`)).json();
            haystacks.push([`GET /credentials/api-auth-config/cfg-${name}`, JSON.stringify(body)]);
            for (const [k, v] of Object.entries(body)) {
                assert.ok(k.startsWith('has_') ? typeof v === 'boolean' : NAMES.has(k), `credentials of ${name}: only has_* flags (and names: ${[...NAMES]}), got ${k}`);
            }
        }
        assert.strictEqual((await (await red.api.get('/credentials/api-auth-config/cfg-tt')).json()).has_token, true);

        const leaks = [];
        for (const [where, text] of haystacks) {
            for (const s of secrets) {
                if (text.includes(s) || text.includes(encodeURIComponent(s))) leaks.push(`${where}: ${s.slice(0, 6)}…`);
            }
        }
        assert.deepStrictEqual(leaks, [], 'secrets found outside their header');
        // the grep can fail: the legit header values ARE in the raw debug output
        const raw = frames.map((f) => JSON.stringify(f)).join('\n');
        assert.ok(legitValues.every((v) => raw.includes(v.replace(/^(Bearer|Key) /, ''))), 'the grep sees the credentials where they belong');
    });
});
