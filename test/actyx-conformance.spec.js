'use strict';
// The fake Actyx node (test/fakes/actyx.js) answers as the REAL node (ax 2.18.2,
// test/support/actyx-node.js) does: the same requests go to both, and status, content type,
// cache-control, the `code` and the `message` of the {code, message} body must be the same.
// Messages that echo a token are compared with each server's own token replaced by <token>.
// Only where the fake does not model the node's words (the CBOR reader behind a manifest
// signature) is the code alone compared, and the case says so.
//
// Requests go out through node:http with exactly the headers listed (no Accept, no
// Content-Type unless a case sets one), and the request target is sent as written (raw).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const axNode = require('./support/actyx-node');
const actyx = require('./fakes/actyx');

const SEED_TOKEN = fs.readFileSync(path.join(__dirname, 'vectors', 'actyx-seed-token.txt'), 'utf8').trim();
const MANIFEST = { appId: 'com.example.conformance', displayName: 'Conformance', version: '1.0.0' };
const JSON_CT = { 'Content-Type': 'application/json' };

function raw(base, { method = 'GET', target, headers = {}, body } = {}) {
    return new Promise((resolve, reject) => {
        const u = new URL(base);
        const req = http.request({ host: u.hostname, port: u.port, method, path: target, headers, agent: false }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
                const text = Buffer.concat(chunks).toString('utf8');
                let json;
                try { json = JSON.parse(text); } catch (_) { json = undefined; }
                resolve({ status: res.statusCode, type: res.headers['content-type'], cache: res.headers['cache-control'], text, json });
            });
        });
        req.on('error', reject);
        req.setTimeout(10000, () => req.destroy(new Error(`${method} ${target}: no answer within 10 s`)));
        req.end(body);
    });
}

const auth = (body, headers = JSON_CT, target = '/api/v2/auth') => ({ method: 'POST', target, headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
const offsets = (headers = {}, query = '') => ({ target: '/api/v2/events/offsets' + query, headers });
const bearer = (t) => ({ Authorization: `Bearer ${t}` });

/** flip one bit in the last byte (the signature) of a token */
function flipped(token) {
    const b = Buffer.from(token, 'base64');
    b[b.length - 1] ^= 1;
    return b.toString('base64');
}

// Each case: a name and a function from the server's context {token, nodeId} to a request.
// `codeOnly`: the fake does not model the node's words for it (see the header).
const CASES = [
    // ---- POST /api/v2/auth: accepted
    ['auth OK (application/json)', () => auth(MANIFEST)],
    ['auth OK with ; charset=utf-8 and unknown extra fields', () => auth({ ...MANIFEST, extra: 1, more: { a: [1, 2] } }, { 'Content-Type': 'application/json; charset=utf-8' })],
    ['auth OK with Content-Type in upper case', () => auth(MANIFEST, { 'Content-Type': 'APPLICATION/JSON' })],
    ['auth OK without any Content-Type', () => auth(MANIFEST, {})],
    ['auth OK at /api/v2/auth/ (trailing slash)', () => auth(MANIFEST, JSON_CT, '/api/v2/auth/')],
    ['auth OK with Accept: application/json', () => auth(MANIFEST, { ...JSON_CT, Accept: 'application/json' })],
    ['auth OK with Accept: text/plain, */*', () => auth(MANIFEST, { ...JSON_CT, Accept: 'text/plain, */*' })],
    ['auth OK with "signature": null (a trial manifest)', () => auth({ ...MANIFEST, signature: null })],
    ['auth OK with an empty displayName and version', () => auth({ ...MANIFEST, displayName: '', version: '' })],
    ['auth OK with whitespace around the JSON', () => auth(`\n  ${JSON.stringify(MANIFEST)}  \n`)],
    // ---- POST /api/v2/auth: refused manifests (400 ERR_BAD_REQUEST, serde's words and positions)
    ['bad app id: upper case', () => auth({ ...MANIFEST, appId: 'com.example.App' })],
    ['bad app id: two dots', () => auth({ ...MANIFEST, appId: 'com.example..app' })],
    ['bad app id: trailing dot', () => auth({ ...MANIFEST, appId: 'com.example.app.' })],
    ['bad app id: underscore', () => auth({ ...MANIFEST, appId: 'com.example.my_app' })],
    ['bad app id: empty', () => auth({ ...MANIFEST, appId: '' })],
    ['trial app id without com.example.', () => auth({ ...MANIFEST, appId: 'com.acme.app' })],
    ['trial app id com.example (no dot after it)', () => auth({ ...MANIFEST, appId: 'com.example' })],
    ['missing field version', () => auth({ appId: MANIFEST.appId, displayName: 'x' })],
    ['missing field displayName', () => auth({ appId: MANIFEST.appId, version: '1' })],
    ['empty object: missing field appId', () => auth({})],
    ['version is a number', () => auth({ ...MANIFEST, version: 1 })],
    ['version is a negative number', () => auth({ ...MANIFEST, version: -3 })],
    ['version is a float', () => auth({ ...MANIFEST, version: 1.5 })],
    ['displayName is null', () => auth({ ...MANIFEST, displayName: null })],
    ['displayName is true', () => auth({ ...MANIFEST, displayName: true })],
    ['appId is an object', () => auth({ ...MANIFEST, appId: { a: 1 } })],
    ['appId is an array', () => auth({ ...MANIFEST, appId: ['x'] })],
    ['signature is a number', () => auth({ ...MANIFEST, signature: 5 })],
    ['duplicate field appId', () => auth('{"appId":"com.example.a","appId":"com.example.b","displayName":"x","version":"1"}')],
    ['body is an empty array', () => auth('[]')],
    ['body is an array of 3', () => auth('["com.example.a","x","1"]')],
    ['body is a string', () => auth('"com.example.a"')],
    ['body is null', () => auth('null')],
    ['body is empty', () => auth('')],
    ['body is truncated', () => auth('{"appId":')],
    ['body is truncated inside a string', () => auth('{"appId":"com.exa')],
    ['trailing comma', () => auth('{"appId":"com.example.a","displayName":"x","version":"1",}')],
    ['missing colon', () => auth('{"appId" "com.example.a"}')],
    ['key is not a string', () => auth('{appId:"com.example.a"}')],
    ['trailing characters after the object', () => auth(JSON.stringify(MANIFEST) + ' x')],
    ['a newline before the error (line 2)', () => auth('{\n"appId":"com.example.A","displayName":"x","version":"1"}')],
    ['invalid escape in a string', () => auth('{"appId":"com.example.a","displayName":"\\x","version":"1"}')],
    ['a bare word', () => auth('hello')],
    // ---- POST /api/v2/auth: signatures the node refuses (400 ERR_MANIFEST_INVALID)
    ['garbage signature (base64: invalid last symbol)', () => auth({ ...MANIFEST, appId: 'com.acme.app', signature: 'garbage' })],
    ['signature with a byte outside base64', () => auth({ ...MANIFEST, signature: 'abc!' })],
    ['signature with a 6-bit remainder', () => auth({ ...MANIFEST, signature: 'abcde' })],
    ['empty signature', () => auth({ ...MANIFEST, signature: '' })],
    ['signature that is base64 but not the node\'s CBOR', () => auth({ ...MANIFEST, signature: 'AAAA' }), { codeOnly: true }],
    // ---- POST /api/v2/auth: method, path, media types
    ['GET /api/v2/auth (wrong method)', () => ({ target: '/api/v2/auth' })],
    ['PUT /api/v2/auth (wrong method)', () => ({ ...auth(MANIFEST), method: 'PUT' })],
    ['unknown path /api/v2/nope', () => ({ target: '/api/v2/nope' })],
    ['unknown path /', () => ({ target: '/' })],
    ['unknown path /api/v2/node', () => ({ target: '/api/v2/node' })],
    ['POST /api/v2/auth/anything (the auth route does not end the path)', () => auth(MANIFEST, JSON_CT, '/api/v2/auth/anything')],
    ['unparsable Content-Type', () => auth(MANIFEST, { 'Content-Type': 'garbage' })],
    ['Accept: application/* (no wildcard matching)', () => auth(MANIFEST, { ...JSON_CT, Accept: 'application/*' })],
    ['unsupported media type text/plain', () => auth(MANIFEST, { 'Content-Type': 'text/plain' })],
    ['unsupported media type form-urlencoded', () => auth(MANIFEST, { 'Content-Type': 'application/x-www-form-urlencoded' })],
    ['unsupported media type application/vnd.api+json', () => auth(MANIFEST, { 'Content-Type': 'application/vnd.api+json' })],
    ['Accept: text/html', () => auth(MANIFEST, { ...JSON_CT, Accept: 'text/html' })],
    ['Accept: text/html, application/json;q=0.9 (no q-values: refused)', () => auth(MANIFEST, { ...JSON_CT, Accept: 'text/html, application/json;q=0.9' })],
    ['Accept: text/html AND text/plain body (Accept is checked first)', () => auth(MANIFEST, { 'Content-Type': 'text/plain', Accept: 'text/html' })],
    // ---- GET /api/v2/events/offsets: the token
    ['offsets without a token', () => offsets()],
    ['offsets with Bearer garbage', () => offsets(bearer('garbage'))],
    ['offsets with Bearer AAAA (base64, not a signed token)', () => offsets(bearer('AAAA'))],
    ['offsets with "Bearer" and no token', () => offsets({ Authorization: 'Bearer' })],
    ['offsets with an empty Authorization header', () => offsets({ Authorization: '' })],
    ['offsets with lower-case bearer', ({ token }) => offsets({ Authorization: `bearer ${token}` })],
    ['offsets with Basic', ({ token }) => offsets({ Authorization: `Basic ${token}` })],
    ['offsets with a flipped signature byte', ({ token }) => offsets(bearer(flipped(token)))],
    ['offsets with a token of another node (the seed sample)', () => offsets(bearer(SEED_TOKEN))],
    ['offsets with a valid token', ({ token }) => offsets(bearer(token))],
    ['offsets with a valid token without its = padding', ({ token }) => offsets(bearer(token.replace(/=+$/, '')))],
    ['offsets with a valid token and a third word', ({ token }) => offsets({ Authorization: `Bearer ${token} extra` })],
    ['offsets with a valid token after two spaces', ({ token }) => offsets({ Authorization: `Bearer  ${token}` })],
    ['offsets with the token url-safe (-_ for +/)', ({ token }) => offsets(bearer(token.replace(/\+/g, '-').replace(/\//g, '_')))],
    ['offsets/ (trailing slash) with a valid token', ({ token }) => ({ target: '/api/v2/events/offsets/', headers: bearer(token) })],
    ['offsets ?access_token= raw', ({ token }) => offsets({}, `?access_token=${token}`)],
    ['offsets ?access_token= percent-encoded (refused: not decoded)', ({ token }) => offsets({}, `?access_token=${encodeURIComponent(token)}`)],
    ['offsets ?access_token= empty', () => offsets({}, '?access_token=')],
    ['offsets ?access_token=garbage with a valid header (the query wins)', ({ token }) => offsets(bearer(token), '?access_token=garbage')],
    ['offsets ?access_token=<valid> with Bearer garbage (the query wins)', ({ token }) => offsets(bearer('garbage'), `?access_token=${token}`)],
    ['offsets ?foo=1&access_token=<valid> (the first access_token= parameter)', ({ token }) => offsets({}, `?foo=1&access_token=${token}&access_token=garbage`)],
    ['offsets ?foo=1 without a header', () => offsets({}, '?foo=1')],
    ['offsets ?foo=1 with a valid header', ({ token }) => offsets(bearer(token), '?foo=1')],
    ['offsets ?xaccess_token=<valid> (not the parameter)', ({ token }) => offsets({}, `?xaccess_token=${token}`)],
    ['offsets with a valid token and Accept: text/html', ({ token }) => offsets({ ...bearer(token), Accept: 'text/html' })],
    ['offsets without a token and Accept: text/html (the token is checked first)', () => offsets({ Accept: 'text/html' })],
    ['HEAD offsets (wrong method)', ({ token }) => ({ method: 'HEAD', target: '/api/v2/events/offsets', headers: bearer(token) })],
    ['POST offsets (wrong method)', ({ token }) => ({ method: 'POST', target: '/api/v2/events/offsets', headers: bearer(token) })],
    ['GET /api/v2/node/info with a valid token', ({ token }) => ({ target: '/api/v2/node/info', headers: bearer(token) })],
    ['GET /api/v2/node/info without a token', () => ({ target: '/api/v2/node/info' })],
    // ---- GET /api/v2/node/id: no token needed
    ['node/id without a token', () => ({ target: '/api/v2/node/id' })],
    ['node/id with Bearer garbage (not checked)', () => ({ target: '/api/v2/node/id', headers: bearer('garbage') })],
    ['node/id with Accept: text/html', () => ({ target: '/api/v2/node/id', headers: { Accept: 'text/html' } })],
    ['POST node/id (any method)', () => ({ method: 'POST', target: '/api/v2/node/id' })],
];

/** The parts of an answer that must be equal, with the server's own tokens masked. */
function comparable(r, ctx, codeOnly) {
    let message = r.json && typeof r.json.message === 'string' ? r.json.message : undefined;
    if (message !== undefined) {
        for (const [t, name] of [[encodeURIComponent(ctx.token), '<token%>'], [flipped(ctx.token), '<flipped>'], [ctx.token.replace(/\+/g, '-').replace(/\//g, '_'), '<url-safe>'], [ctx.token, '<token>']]) {
            message = message.split(t).join(name);
        }
    }
    const out = { status: r.status, type: r.type, cache: r.cache, code: r.json && r.json.code };
    if (!codeOnly) out.message = message;
    if (r.status === 200) {
        // the body's shape: which keys, or the node id for text/plain
        out.body = r.json ? Object.keys(r.json).sort() : (r.text === ctx.nodeId ? '<node id>' : r.text);
    }
    return out;
}

describe('Actyx conformance: the fake answers as the real node (ax 2.18.2)', function () {
    let ax;
    let fake;
    const ctx = {};

    before(async function () {
        ax = await axNode.startOrSkip(this);
        fake = await actyx.start();
        for (const [name, base, nodeIdOf] of [['real', ax.url, () => ax.nodeId], ['fake', fake.url, () => fake.nodeId]]) {
            const r = await raw(base, auth(MANIFEST));
            assert.equal(r.status, 200, `${name}: ${r.text}`);
            ctx[name] = { base, token: r.json.token, nodeId: nodeIdOf() };
        }
    });
    after(async function () {
        if (fake) await fake.close();
        if (ax) await ax.stop();
    });

    it('runs the ax version the README and the example name (2.18.2)', function () {
        const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
        const section = readme.slice(readme.indexOf('### Actyx'), readme.indexOf('###', readme.indexOf('### Actyx') + 4));
        const named = /Tested against a real Actyx node, `ax` (\d+\.\d+\.\d+)/.exec(section);
        assert.ok(named, 'the README\'s Actyx section says which real node it is tested against');
        const example = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'examples', 'actyx.json'), 'utf8'));
        assert.ok(example.find((n) => n.type === 'comment').info.includes(`real Actyx node, ax ${named[1]}`), 'the example\'s comment names the same version');
        assert.ok(ax.version.startsWith(`ax ${named[1]}`), `${ax.version} is not ax ${named[1]}`);
    });

    it('the real node: the token holds the node id (in base64 Crypt letters) and a trial payload valid 86400 s', async function () {
        const d = actyx.decodeToken(ctx.real.token);
        assert.equal(actyx.nodeIdOf(d.publicKey), ax.nodeId);
        assert.equal(actyx.nodeIdOf(d.publicKey), (await raw(ax.url, { target: '/api/v2/node/id' })).text);
        assert.deepEqual(Object.keys(d.payload), ['created', 'appId', 'cycles', 'appVersion', 'validity', 'appMode']);
        assert.equal(d.payload.appId, MANIFEST.appId);
        assert.equal(d.payload.appVersion, MANIFEST.version);
        assert.equal(d.payload.validity, 86400);
        assert.equal(d.payload.appMode, 'trial');
        assert.ok(Math.abs(d.payload.created - Date.now() * 1000) < 60e6, 'created is the node\'s clock in µs');
        // and the fake's token has the same layout
        const f = actyx.decodeToken(ctx.fake.token);
        assert.deepEqual(Object.keys(f.payload), Object.keys(d.payload));
        assert.equal(actyx.nodeIdOf(f.publicKey), fake.nodeId);
    });

    for (const [name, build, opts = {}] of CASES) {
        it(name + (opts.codeOnly ? ' [code only: the words are not modelled]' : ''), async function () {
            const real = await raw(ctx.real.base, build(ctx.real));
            const faked = await raw(ctx.fake.base, build(ctx.fake));
            assert.deepEqual(comparable(faked, ctx.fake, opts.codeOnly), comparable(real, ctx.real, opts.codeOnly),
                `real node answered ${real.status} ${real.type} ${real.text.slice(0, 300)}\nfake answered ${faked.status} ${faked.type} ${faked.text.slice(0, 300)}`);
        });
    }

    it('a restart expires every earlier token on both (ERR_TOKEN_EXPIRED); the new token carries cycles + 1', async function () {
        this.timeout(60000);
        await ax.restart();
        fake.restart();
        for (const name of ['real', 'fake']) {
            const c = ctx[name];
            const old = await raw(c.base, offsets(bearer(c.token)));
            assert.deepEqual([old.status, old.type, old.json], [401, 'application/json', { code: 'ERR_TOKEN_EXPIRED', message: 'Expired token.' }], name);
            const q = await raw(c.base, offsets({}, `?access_token=${c.token}`));
            assert.deepEqual([q.status, q.json.code], [401, 'ERR_TOKEN_EXPIRED'], name);
            const fresh = await raw(c.base, auth(MANIFEST));
            assert.equal(fresh.status, 200, name);
            assert.equal(actyx.decodeToken(fresh.json.token).payload.cycles, actyx.decodeToken(c.token).payload.cycles + 1, name);
            assert.equal((await raw(c.base, offsets(bearer(fresh.json.token)))).status, 200, name);
            c.token = fresh.json.token;
        }
        assert.equal((await raw(ax.url, { target: '/api/v2/node/id' })).text, ctx.real.nodeId, 'the node id survives the restart');
    });
});
