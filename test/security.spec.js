'use strict';
// Trustworthy by default, through the REAL Node-RED runtime and the REAL core http request node:
//   1. no credential leaves the origin it was signed for (redirects);
//   2. nothing that leaves the auth node after the request carries a credential (output 2, a
//      Catch node, a network error's payload);
//   3. what is as good as a secret is masked too (the Nightscout SHA-1, the Timbr Fernet bearer,
//      every URL encoding of a token);
//   4. the verify node: a used key is never accepted twice (windows of different endpoints, a
//      clock stepping back, a redeploy), and a penalised client cannot pile up held requests;
//   5. the Test endpoint: stored secrets and ${ENV} only for a deployed node's saved Base URL,
//      JSON only;
//   6. secrets reach the server exactly as the server takes them (a Timbr password or salt with
//      spaces, a Nightscout API_SECRET with a TAB or emoji) and the verify node decides as
//      Nightscout does.
// Each case failed before the fix it names (see the commit that added this file).
const assert = require('node:assert/strict');
const http = require('node:http');
const crypto = require('node:crypto');
const rt = require('./support/nodered');
const h = require('./verify-harness');
const { closedPort } = require('./support/ports');
const timbr = require('./fakes/timbr');
const nightscout = require('./fakes/nightscout');
const { tedeeKey } = require('./fakes/tedee');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha1 = (s) => crypto.createHash('sha1').update(s).digest('hex');

/** A loopback server that records every request and answers with `route(req, body) → [status, headers, body]`. */
async function recorder(route) {
    const log = [];
    const srv = http.createServer((req, res) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            log.push({ method: req.method, url: req.url, headers: req.headers, body });
            const [status, headers, out] = route(req, body, log) || [200, { 'content-type': 'application/json' }, '{"ok":true}'];
            res.writeHead(status, headers);
            res.end(out);
        });
    });
    await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${srv.address().port}`;
    return {
        url, log,
        close: () => new Promise((resolve) => { srv.closeAllConnections(); srv.close(resolve); }),
    };
}

/** Every place a secret could hide in a message a user sees. */
function assertClean(what, value, secrets) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    for (const s of secrets) {
        for (const form of [s, encodeURIComponent(s)]) {
            assert.ok(!text.includes(form), `${what} carries a credential (${s.slice(0, 6)}…): ${text.slice(0, 400)}`);
        }
    }
}

describe('security: no credential leaves the request it was signed for', function () {
    this.timeout(30000);
    const servers = [];
    const serve = async (route) => { const s = await recorder(route); servers.push(s); return s; };
    afterEach(async function () {
        await rt.unload();
        while (servers.length) await servers.pop().close();
    });

    const TT = 'ttTOKENsecret0a1b2c3d4e5f';
    const TB = 'tk_STATICsecret7c6d5e4f';
    const NS = 'nsAPISECRETvalue0123456';
    const TD = 'tdTOKENsecretQ1w2E3r4';
    const BEARER = 'hdBEARERsecretZ9x8c7v6';
    const QK = 'hdQUERYsecret8i9o0p1q';
    const schemes = [
        { what: 'TimeTagger authtoken', props: { scheme: 'timetagger' }, creds: { token: TT }, secrets: [TT] },
        { what: 'Timbr x-api-key', props: { scheme: 'timbr', mode: 'token' }, creds: { token: TB }, secrets: [TB] },
        { what: 'Nightscout api-secret', props: { scheme: 'nightscout', mode: 'secret' }, creds: { secret: NS }, secrets: [NS, sha1(NS)] },
        { what: 'a fresh Tedee api_token', props: { scheme: 'tedee' }, creds: { token: TD }, secrets: [TD], tedee: true },
        { what: 'Authorization: Bearer (capital A)', props: { scheme: 'header', headerName: 'Authorization', prefix: 'Bearer ' }, creds: { token: BEARER }, secrets: [BEARER] },
        { what: 'a key in the query string', props: { scheme: 'header', placement: 'query', queryName: 'api_key' }, creds: { token: QK }, secrets: [QK] },
        { what: 'a Tedee key in the query string', props: { scheme: 'tedee', placement: 'query' }, creds: { token: TD }, secrets: [TD], tedee: true },
    ];

    for (const s of schemes) {
        it(`a redirect to another origin never carries ${s.what}: a catchable error names both origins`, async function () {
            const other = await serve(() => [200, { 'content-type': 'application/json' }, '{"stolen":true}']);
            const home = await serve((req) => [302, { location: `${other.url}/landing?from=home` }, '']);
            await rt.load(rt.loopFlow({ props: { name: 'redir', ...s.props }, creds: s.creds }));
            const r = await rt.request({ url: `${home.url}/start?x=1`, method: 'GET', payload: 'p' });
            assert.equal(other.log.length, 0, `the other origin was reached: ${JSON.stringify(other.log.map((l) => l.headers))}`);
            assert.equal(home.log.length, 1);
            assert.equal(r.via, 'caught');
            assert.match(r.msg.error.message, new RegExp(`redirect from ${home.url} to ${other.url} not followed`));
            const sent = home.log[0];
            const seenKey = s.tedee ? (sent.headers.api_token || new URL(sent.url, home.url).searchParams.get('api_token')) : null;
            assertClean('the message a Catch node sees', r.msg, s.secrets.concat(seenKey ? [seenKey] : []));
            assert.equal(r.msg.url, `${home.url}/start?x=1`);
        });
    }

    it('a redirect to the same origin is followed by the loop with a fresh signature (Tedee: a new key)', async function () {
        const keys = [];
        const home = await serve((req) => {
            keys.push(req.headers.api_token);
            if (req.url.startsWith('/old')) return [302, { location: '/new?y=2' }, ''];
            return [200, { 'content-type': 'application/json' }, JSON.stringify({ at: req.url })];
        });
        await rt.load(rt.loopFlow({ props: { name: 'redir', scheme: 'tedee' }, creds: { token: TD } }));
        const r = await rt.request({ url: `${home.url}/old`, method: 'GET' });
        assert.equal(r.via, 'out', r.msg.error && r.msg.error.message);
        assert.equal(r.msg.statusCode, 200);
        assert.deepEqual(r.msg.payload, { at: '/new?y=2' });
        assert.equal(keys.length, 2);
        assert.notEqual(keys[0], keys[1], 'a fresh key for the second hop');
        for (const k of keys) assert.equal(k, tedeeKey(TD, k.slice(64)), 'both keys are valid');
        assert.equal(r.msg.url, `${home.url}/old`, 'msg.url is what the flow set');
        assertClean('the final response', { ...r.msg, headers: undefined }, [TD, ...keys]);
    });

    it('a 303 to the same origin turns the POST into a GET without the body; the flow can ask to see redirects itself', async function () {
        const home = await serve((req) => (req.url === '/form' ? [303, { location: '/result' }, ''] : [200, { 'content-type': 'text/plain' }, req.method]));
        await rt.load(rt.loopFlow({ props: { name: 'redir', scheme: 'timetagger' }, creds: { token: TT }, ret: 'txt' }));
        let r = await rt.request({ url: `${home.url}/form`, method: 'POST', payload: 'a=1' });
        assert.equal(r.msg.payload, 'GET');
        assert.deepEqual(home.log.map((l) => [l.method, l.url, l.body]), [['POST', '/form', 'a=1'], ['GET', '/result', '']]);
        assert.ok(home.log.every((l) => l.headers.authtoken === TT));
        // msg.followRedirects = false: the 303 itself comes out on output 2
        r = await rt.request({ url: `${home.url}/form`, method: 'POST', payload: 'a=1', followRedirects: false });
        assert.equal(r.via, 'out');
        assert.equal(r.msg.statusCode, 303);
        assert.equal(r.msg.headers.location, '/result');
        assert.equal(r.msg.followRedirects, false);
        assert.equal(home.log.length, 3);
    });

    it('output 2 carries no query key: msg.url and msg.responseUrl as the flow gave them', async function () {
        const api = await serve(() => [200, { 'content-type': 'application/json' }, '{"ok":true}']);
        await rt.load(rt.loopFlow({ props: { name: 'q', scheme: 'header', placement: 'query' }, creds: { token: QK } }));
        const r = await rt.request({ url: `${api.url}/p?x=1`, method: 'GET' });
        assert.equal(r.via, 'out');
        assert.equal(api.log[0].url, `/p?x=1&api_key=${QK}`, 'the key reached the server');
        assert.equal(r.msg.url, `${api.url}/p?x=1`);
        assertClean('msg on output 2', r.msg, [QK]);
    });

    it('a refusal through a Catch node carries no credential: url, headers and the error', async function () {
        const api = await serve(() => [401, { 'content-type': 'application/json' }, '{"error-description":"Invalid token"}']);
        await rt.load(rt.loopFlow({ props: { name: 'q', scheme: 'tedee', placement: 'query' }, creds: { token: TD } }));
        const r = await rt.request({ url: `${api.url}/bridge`, method: 'GET', headers: { 'X-Mine': 'kept' } });
        assert.equal(r.via, 'caught');
        assert.match(r.msg.error.message, /HTTP 401.*Invalid token/);
        const keys = api.log.map((l) => new URL(l.url, api.url).searchParams.get('api_token'));
        assert.equal(keys.length, 2);
        assert.equal(r.msg.url, `${api.url}/bridge`);
        assertClean('msg a Catch node sees', r.msg, [TD, ...keys]);
    });

    it('a network error leaves with the flow\'s url and headers, the signed URL masked in the payload', async function () {
        const port = await closedPort();
        await rt.load(rt.loopFlow({ props: { name: 'q', scheme: 'header', placement: 'query' }, creds: { token: QK } }));
        const r = await rt.request({ url: `http://127.0.0.1:${port}/p?x=1`, method: 'GET' }, { wait: ['out'] });
        assert.match(String(r.msg.statusCode), /ECONNREFUSED/);
        assert.match(r.msg.payload, /api_key=\*\*\*\*/);
        assert.equal(r.msg.url, `http://127.0.0.1:${port}/p?x=1`);
        assertClean('msg after a network error', r.msg, [QK]);
        // a header scheme: msg.headers are the flow's own again
        await rt.unload();
        await rt.load(rt.loopFlow({ props: { name: 'h', scheme: 'timetagger' }, creds: { token: TT } }));
        const r2 = await rt.request({ url: `http://127.0.0.1:${port}/p`, method: 'GET', headers: { 'X-Mine': '1' } }, { wait: ['out'] });
        assert.deepEqual(r2.msg.headers, { 'X-Mine': '1' });
        assertClean('msg after a network error', r2.msg, [TT]);
    });
});

describe('security: what is as good as a secret is masked too', function () {
    this.timeout(30000);
    const servers = [];
    const serve = async (route) => { const s = await recorder(route); servers.push(s); return s; };
    afterEach(async function () {
        await rt.unload();
        while (servers.length) await servers.pop().close();
    });

    it('the Nightscout SHA-1 of API_SECRET (the server takes it as the credential) never shows in an error', async function () {
        const NS = 'nsAPISECRETvalue0123456';
        const api = await serve((req) => [401, { 'content-type': 'application/json' }, JSON.stringify({ status: 401, message: `bad api-secret ${req.headers['api-secret']}` })]);
        await rt.load(rt.loopFlow({ props: { name: 'ns', scheme: 'nightscout', mode: 'secret' }, creds: { secret: NS } }));
        const r = await rt.request({ url: `${api.url}/api/v1/entries`, method: 'GET' });
        assert.equal(api.log[0].headers['api-secret'], sha1(NS));
        assert.equal(r.via, 'caught');
        assert.match(r.msg.error.message, /bad api-secret/);
        assertClean('the error', r.msg, [NS, sha1(NS)]);
    });

    it('the Timbr Fernet bearer of an exchange never shows in an error', async function () {
        let bearer = null;
        const api = await serve((req) => {
            bearer = String(req.headers.authorization).replace(/^Bearer /, '');
            return [401, { 'content-type': 'application/json' }, JSON.stringify({ status: 'error', data: `refused bearer ${bearer}` })];
        });
        const salt = crypto.randomBytes(32).toString('base64url') + '=';
        await rt.load(rt.loopFlow({ props: { name: 'tb', scheme: 'timbr', mode: 'exchange', baseUrl: api.url }, creds: { username: 'admin', password: 'tbPASSWORDsecret', salt } }));
        const r = await rt.request({ url: `${api.url}/timbr/api/ontologies`, method: 'GET' });
        assert.ok(bearer && bearer.startsWith('gAAAAA'));
        assert.equal(r.via, 'caught');
        assert.match(r.msg.error.message, /refused bearer/);
        assertClean('the error', r.msg, [bearer, 'tbPASSWORDsecret', salt]);
    });

    it('an access token in the Nightscout exchange path is masked in every encoding', async function () {
        const token = "node (red)!x'y*z-0123456789abcdef";
        const strict = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
        // a server (or proxy) that quotes the path as it got it, and as a strict RFC 3986 encoder writes it
        const api = await serve((req) => {
            const last = decodeURIComponent(req.url.split('/').pop());
            const lowHex = strict(last).replace(/%[0-9A-F]{2}/g, (x) => x.toLowerCase());
            return [404, { 'content-type': 'text/plain' }, `Cannot GET ${req.url} (${strict(last)}, ${lowHex})`];
        });
        await rt.load(rt.loopFlow({ props: { name: 'ns', scheme: 'nightscout', mode: 'jwt', baseUrl: api.url }, creds: { token } }));
        const r = await rt.request({ url: `${api.url}/api/v3/entries`, method: 'GET' });
        assert.equal(r.via, 'caught');
        assert.equal(decodeURIComponent(api.log[0].url.split('/').pop()), token);
        assert.match(r.msg.error.message, /HTTP 404.*Cannot GET/);
        assertClean('the error', r.msg, [token, api.log[0].url.split('/').pop(), strict(token), strict(token).replace(/%[0-9A-F]{2}/g, (x) => x.toLowerCase())]);
    });
});

describe('security: the verify node never accepts a used key twice', function () {
    this.timeout(60000);
    const TOKEN = 'verifyTOKENsecret42';
    before(h.start);
    after(h.stop);
    afterEach(h.unload);

    function endpoint(id, path, windowSecs, extra = {}) {
        return [
            { id: 'in' + id, type: 'http in', z: 'tab1', url: path, method: 'post', wires: [['verify' + id]] },
            { id: 'verify' + id, type: 'api-auth-verify', z: 'tab1', config: 'cfg', windowSecs, respond: true, penalty: 0, wires: [['fn' + id], []], ...extra },
            { id: 'fn' + id, type: 'function', z: 'tab1', func: 'msg.payload = "ok"; return msg;', outputs: 1, wires: [['res' + id]] },
            { id: 'res' + id, type: 'http response', z: 'tab1', statusCode: '', headers: {}, wires: [] },
        ];
    }
    const flow = (nodes) => [{ id: 'tab1', type: 'tab', label: 't' }, { id: 'cfg', type: 'api-auth-config', name: 'v', scheme: 'tedee', mode: 'encrypted' }, ...nodes];
    const creds = { cfg: { token: TOKEN } };
    const post = async (path, key, body = '') => (await fetch(h.url(path), { method: 'POST', headers: { api_token: key }, body })).status;

    it('a short-window endpoint does not reopen a key used on a long-window endpoint of the same credentials', async function () {
        await h.load(flow([...endpoint('L', '/long', 300), ...endpoint('S', '/short', 1)]), creds);
        const key = tedeeKey(TOKEN, Date.now());
        assert.equal(await post('/long', key), 200);
        await sleep(1100);
        assert.equal(await post('/short', tedeeKey(TOKEN, Date.now())), 200);
        assert.equal(await post('/long', key), 401, 'the key was accepted twice');
    });

    it('a clock that steps back does not reopen a key', async function () {
        await h.load(flow(endpoint('A', '/a', 30)), creds);
        const verify = h.helper.getNode('verifyA');
        const key = tedeeKey(TOKEN, Date.now() + 1000);
        assert.equal(await post('/a', key), 200);
        verify.now = () => Date.now() + 120000; // the clock jumps ahead two minutes…
        assert.equal(await post('/a', tedeeKey(TOKEN, Date.now() + 120000)), 200);
        verify.now = () => Date.now(); // …and back
        assert.equal(await post('/a', key), 401, 'the key was accepted twice');
    });

    it('a full redeploy (or a restart) does not reopen the keys of the last window', async function () {
        const f = flow(endpoint('A', '/a', 30));
        await h.load(f, creds);
        const key = tedeeKey(TOKEN, Date.now());
        assert.equal(await post('/a', key), 200);
        await h.unload();
        await h.load(f, creds);
        assert.equal(await post('/a', key), 401, 'the key was accepted again after the redeploy');
        assert.equal(await post('/a', tedeeKey(TOKEN, Date.now() + 5)), 200, 'new keys are fine');
    });

    it('the penalty holds at most 100 requests: the rest of a penalised client gets 429 at once, nothing piles up', async function () {
        const { MAX_HELD } = require('../nodes/api-auth-verify.js');
        await h.load(flow(endpoint('P', '/p', 30, { penalty: 60000 })), creds);
        const verify = h.helper.getNode('verifyP');
        assert.equal(await post('/p', 'wrong'), 401); // the address is penalised for 60 s now
        const body = 'x'.repeat(16 * 1024);
        const controllers = [];
        const statuses = [];
        const N = 400;
        const requests = Array.from({ length: N }, () => {
            const c = new AbortController();
            controllers.push(c);
            return fetch(h.url('/p'), { method: 'POST', headers: { api_token: 'wrong', 'content-type': 'text/plain' }, body, signal: c.signal })
                .then((r) => statuses.push(r.status), () => statuses.push('aborted'));
        });
        await h.until(() => statuses.length >= N - MAX_HELD, 'the requests beyond the bound answered', 20000);
        assert.ok(verify.held.size <= MAX_HELD, `held ${verify.held.size}`);
        assert.equal(statuses.filter((s) => s === 429).length, N - MAX_HELD);
        // the held clients give up: their requests are let go at once, long before 60 s
        for (const c of controllers) c.abort();
        await Promise.all(requests);
        await h.until(() => verify.held.size === 0, 'held requests released when their clients went away', 5000);
    });
});

describe('security: the Test endpoint keeps stored secrets and ${ENV} at home', function () {
    this.timeout(30000);
    const servers = [];
    const serve = async (route) => { const s = await recorder(route); servers.push(s); return s; };
    afterEach(async function () {
        delete process.env.API_AUTH_SECURITY_SECRET;
        await rt.unload();
        while (servers.length) await servers.pop().close();
    });
    const post = (id, body, type = 'application/json') => rt.helper.request().post(`/api-auth/test/${id}`).set('Content-Type', type)
        .send(type === 'application/json' ? JSON.stringify(body) : body);

    it('never uses the stored credentials of a node that is not an API credentials node (an http request node\'s password)', async function () {
        const thief = await serve(() => [200, { 'content-type': 'application/json' }, '{"status":"success","data":["tk_x"]}']);
        const flow = rt.loopFlow({ props: { scheme: 'timetagger' }, creds: { token: 'tt-token-123456' } });
        flow.credentials.http = { user: 'admin', password: 'httpPASSWORDsecret' };
        await rt.load(flow);
        const salt = crypto.randomBytes(32).toString('base64url') + '=';
        const r = await post('http', { scheme: 'timbr', mode: 'exchange', baseUrl: thief.url, credentials: { username: 'x', password: '__PWRD__', salt } });
        assert.equal(r.status, 200);
        assert.equal(r.body.ok, false);
        assert.match(r.body.message, /stored secret is only used with the saved Base URL of a deployed API credentials node/);
        assert.equal(thief.log.length, 0, 'the password was sent to a URL the caller chose');
    });

    it('uses stored credentials of a deployed API credentials node only towards its saved Base URL', async function () {
        const home = await serve(() => [200, { 'content-type': 'application/json' }, '{"ok":true}']);
        const thief = await serve(() => [200, { 'content-type': 'application/json' }, '{"ok":true}']);
        await rt.load(rt.loopFlow({ props: { scheme: 'tedee', mode: 'plain', baseUrl: home.url }, creds: { token: 'tdSTOREDsecret99' } }));
        let r = await post('cfg', { scheme: 'tedee', mode: 'plain', baseUrl: thief.url, credentials: { token: '__PWRD__' } });
        assert.equal(r.body.ok, false);
        r = await post('cfg', { scheme: 'tedee', mode: 'plain', baseUrl: thief.url, credentials: { token: '', has_token: true } });
        assert.equal(r.body.ok, false);
        assert.equal(thief.log.length, 0, 'the stored token was sent to another URL');
        r = await post('cfg', { scheme: 'tedee', mode: 'plain', baseUrl: home.url, credentials: { token: '__PWRD__' } });
        assert.equal(r.body.ok, true, JSON.stringify(r.body));
        assert.equal(home.log[0].headers.api_token, 'tdSTOREDsecret99');
    });

    it('resolves ${ENV} only for the saved Base URL of a deployed node', async function () {
        process.env.API_AUTH_SECURITY_SECRET = 'envSECRETvalue12345';
        const home = await serve(() => [200, { 'content-type': 'application/json' }, '{"ok":true}']);
        const thief = await serve(() => [200, { 'content-type': 'application/json' }, '{"ok":true}']);
        await rt.load(rt.loopFlow({ props: { scheme: 'tedee', mode: 'plain', baseUrl: home.url }, creds: { token: 'x-token-123' } }));
        let r = await post('cfg', { scheme: 'tedee', mode: 'plain', baseUrl: thief.url, credentials: { token: '${API_AUTH_SECURITY_SECRET}' } });
        assert.equal(r.body.ok, false);
        assert.match(r.body.message, /only resolved for the saved Base URL/);
        r = await post('never-deployed', { scheme: 'tedee', mode: 'plain', baseUrl: thief.url, credentials: { token: '${API_AUTH_SECURITY_SECRET}' } });
        assert.equal(r.body.ok, false);
        assert.equal(thief.log.length, 0, 'the environment variable was sent to a URL the caller chose');
        r = await post('cfg', { scheme: 'tedee', mode: 'plain', baseUrl: home.url, credentials: { token: '${API_AUTH_SECURITY_SECRET}' } });
        assert.equal(r.body.ok, true, JSON.stringify(r.body));
        assert.equal(home.log[0].headers.api_token, 'envSECRETvalue12345');
    });

    it('accepts application/json only (a form post from another web page is refused)', async function () {
        process.env.API_AUTH_SECURITY_SECRET = 'envSECRETvalue12345';
        const thief = await serve(() => [200, { 'content-type': 'application/json' }, '{"ok":true}']);
        await rt.load(rt.loopFlow({ props: { scheme: 'tedee', mode: 'plain', baseUrl: thief.url }, creds: { token: 'x-token-123' } }));
        const form = `scheme=tedee&mode=plain&baseUrl=${encodeURIComponent(thief.url)}&credentials[token]=${encodeURIComponent('${API_AUTH_SECURITY_SECRET}')}&token=__PWRD__`;
        const r = await post('cfg', form, 'application/x-www-form-urlencoded');
        assert.equal(r.status, 415);
        const t = await post('cfg', form, 'text/plain');
        assert.equal(t.status, 415);
        assert.equal(thief.log.length, 0);
    });
});

describe('security: secrets reach the server exactly as the server takes them', function () {
    this.timeout(30000);
    let fake;
    afterEach(async function () {
        await rt.unload();
        if (fake) await fake.close();
        fake = null;
    });

    it('a Timbr password with surrounding spaces is sent as typed (and the node says so)', async function () {
        const salt = crypto.randomBytes(32).toString('base64url') + '=';
        fake = await timbr.start({ salt, users: { admin: ' pa ss ' } });
        const { cfg } = await rt.load(rt.loopFlow({ props: { name: 'tb', scheme: 'timbr', mode: 'exchange', baseUrl: fake.url }, creds: { username: 'admin', password: ' pa ss ', salt } }));
        const r = await rt.request({ url: `${fake.url}/timbr/api/ontologies`, method: 'GET' });
        assert.equal(r.via, 'out', r.msg.error && r.msg.error.message);
        assert.equal(r.msg.statusCode, 200);
        const warned = cfg.warn.getCalls().map((c) => String(c.args[0]));
        assert.ok(warned.some((w) => /password: has surrounding whitespace, which is sent as typed/.test(w)), JSON.stringify(warned));
        assert.ok(!warned.join(' ').includes('pa ss'));
    });

    it('a Timbr salt turned into a key (md5) is hashed as typed, spaces included', async function () {
        fake = await timbr.start({ salt: ' my api salt ', keyMode: 'md5' });
        await rt.load(rt.loopFlow({ props: { name: 'tb', scheme: 'timbr', mode: 'exchange', keyMode: 'md5', baseUrl: fake.url }, creds: { username: 'admin', password: 'secret', salt: ' my api salt ' } }));
        const r = await rt.request({ url: `${fake.url}/timbr/api/ontologies`, method: 'GET' });
        assert.equal(r.via, 'out', r.msg.error && r.msg.error.message);
        assert.equal(r.msg.statusCode, 200);
    });

    for (const [what, secret] of [['a TAB inside', 'this is\tmy long pass'], ['six emoji (12 UTF-16 code units)', '😀😀😀😀😀😀'], ['surrounding spaces (the server trims them too)', '  abcdefghij123456  ']]) {
        it(`a Nightscout API_SECRET with ${what} works as on the server`, async function () {
            fake = await nightscout.start({ apiSecret: secret, penaltyMs: 0 });
            await rt.load(rt.loopFlow({ props: { name: 'ns', scheme: 'nightscout', mode: 'secret' }, creds: { secret } }));
            const r = await rt.request({ url: `${fake.url}/api/v1/experiments/test`, method: 'GET' });
            assert.equal(r.via, 'out', r.msg.error && r.msg.error.message);
            assert.equal(r.msg.statusCode, 200);
            assert.equal(fake.stats.log[0].headers['api-secret'], sha1(secret.trim()));
        });
    }
});

describe('security: the verify node decides as Nightscout does', function () {
    this.timeout(30000);
    before(h.start);
    after(h.stop);
    afterEach(h.unload);
    const SECRET = 'abcdefghij123456';
    const S1 = sha1(SECRET);
    const TOKEN = 'noderedrea-ecaba170b88208db';

    async function load(props, credsIn) {
        await h.load([
            { id: 'tab1', type: 'tab', label: 't' },
            { id: 'cfg', type: 'api-auth-config', name: 'ns', scheme: 'nightscout', ...props },
            { id: 'in', type: 'http in', z: 'tab1', url: '/ns', method: 'get', wires: [['verify']] },
            { id: 'verify', type: 'api-auth-verify', z: 'tab1', config: 'cfg', windowSecs: 30, respond: true, penalty: 0, wires: [['fn'], []] },
            { id: 'fn', type: 'function', z: 'tab1', func: 'msg.payload = "ok"; return msg;', outputs: 1, wires: [['res']] },
            { id: 'res', type: 'http response', z: 'tab1', statusCode: '', headers: {}, wires: [] },
        ], { cfg: credsIn });
    }
    const status = async (query, headers = {}) => (await h.get('/ns' + query, headers)).status;

    it('secret mode: an empty ?secret= falls back to the header, a value is never trimmed, "null" is no secret', async function () {
        await load({ mode: 'secret' }, { secret: SECRET });
        assert.equal(await status('?secret=', { 'api-secret': S1 }), 200);
        assert.equal(await status('', { 'api-secret': S1.toUpperCase() }), 200);
        assert.equal(await status('?secret=%20' + S1), 401);
        assert.equal(await status('?secret=nope', { 'api-secret': S1 }), 401);
        assert.equal(await status('?secret=null', { 'api-secret': S1 }), 401);
    });

    it('token mode: case-sensitive, the SHA-1 of the token, the name part ignored as Nightscout ignores it', async function () {
        await load({ mode: 'token' }, { token: TOKEN });
        assert.equal(await status('?token=' + TOKEN), 200);
        assert.equal(await status('', { 'api-secret': TOKEN.toUpperCase() }), 401);
        assert.equal(await status('', { 'api-secret': sha1(TOKEN) }), 200);
        assert.equal(await status('', { 'api-secret': sha1(TOKEN).toUpperCase() }), 401);
        assert.equal(await status('?token=someone-ecaba170b88208db'), 200);
        assert.equal(await status('?token=' + TOKEN + '%20'), 401);
    });
});
