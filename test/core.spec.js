'use strict';
// The WebAssembly core from Node: every function of docs/CORE_API.md with the vectors of
// PROTOCOLS.md; bad inputs throw an Error naming the field, never containing the secret, and the
// module keeps working afterwards (a Rust panic would be `RuntimeError: unreachable` and kill it).
const assert = require('node:assert');
const core = require('../pkg/api_auth_core.js');
const { fernetOpen, timbrKey } = require('./fakes/timbr');
const { tedeeKey } = require('./fakes/tedee'); // node:crypto, independent of the core
const { timbrBearer } = require('./support/signer');

const TEDEE_TOKEN = 'BE9xnPnGfVUS';
const TEDEE_MS = 1691058833000;
const TEDEE_KEY = 'e59d9763edc6e59f2faccf9a769e5cf170d68439c3fd67afae5e3e72d0463a711691058833000';
const NS_SECRET = 'abcdefghij123456';
const NS_SHA1 = 'bcf210644ec3d5ee81ee80ab9e8907abb49c203d';
const FERNET_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const SALT = 'my-api-auth-salt';
const ACTYX_SAMPLE = 'AAAAXaZnY3JlYXRlZBsABcIhKEY90mVhcHBJZG9jb20uZXhhbXBsZS5hcHBmY3ljbGVzAGphcHBWZXJzaW9uZTEuMC4waHZhbGlkaXR5GgABUYBnYXBwTW9kZWV0cmlhbAEuMkUrR1EHEC/ZPnOm5yCUZCOMwUGqP6UQLOC2r2xWr5ja9HC0KaYXfyQMaQmUcg7nA9BdwWe2KPUtETN1aqQTfeYDTOja38YXd32Ig9NOY39rg5H+ViDm6Lo0OXzYgwQ=';

const b64url = (s) => Buffer.from(s).toString('base64url');
const jwt = (payload) => `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(JSON.stringify(payload))}.c2ln`;

/** Throws an Error whose message starts with `${field}: ` and does not contain `secret`. */
function throwsField(fn, field, secret) {
    let err;
    try { fn(); } catch (e) { err = e; }
    assert.ok(err, `expected an error for ${field}`);
    assert.ok(err instanceof Error, `not an Error: ${err}`);
    assert.ok(!(err instanceof WebAssembly.RuntimeError), `the core panicked: ${err.message}`);
    assert.ok(err.message.startsWith(`${field}: `), `message "${err.message}" does not name ${field}`);
    if (secret) assert.ok(!err.message.includes(secret), `message "${err.message}" contains the secret`);
    return err;
}


function stillWorks() {
    const s = new core.Signer({ scheme: 'tedee', token: TEDEE_TOKEN });
    assert.strictEqual(s.freshKey(TEDEE_MS), TEDEE_KEY);
    s.free();
}

/** A Signer used once (the product's path; the module has no standalone buildAuth). */
function buildAuth(config, nowMs, exchangedToken) {
    const s = new core.Signer(config);
    try {
        return s.build(nowMs, exchangedToken);
    } finally {
        s.free();
    }
}

describe('core (WASM) from Node', function () {
    afterEach(stillWorks);

    describe('secret hygiene', function () {
        it('maskSecret: first 6 + ... + last 4, **** when shorter than 16', function () {
            assert.strictEqual(core.maskSecret('abcdefghijklmnopqrstuvwxyz'), 'abcdef...wxyz');
            assert.strictEqual(core.maskSecret('1234567890123456'), '123456...3456');
            assert.strictEqual(core.maskSecret('123456789012345'), '****');
            assert.strictEqual(core.maskSecret(''), '****');
            assert.strictEqual(core.maskSecret(undefined), '****');
        });

        it('a header value with a non-ASCII character is refused clearly', function () {
            const e = throwsField(() => new core.Signer({ scheme: 'timetagger', token: 'tökenvalue123' }), 'token', 'tökenvalue123');
            assert.match(e.message, /non-ASCII character/);
        });
    });

    describe('the table: every API, mode and field, for the editor and the config node', function () {
        it('lists the APIs in order with their modes, fields, kinds and defaults', function () {
            const table = core.schemeTable();
            assert.deepStrictEqual(table.map((a) => a.id), ['timetagger', 'timbr', 'nightscout', 'tedee', 'actyx', 'oauth2', 'header']);
            const timbr = table.find((a) => a.id === 'timbr');
            assert.deepStrictEqual(timbr.modes.map((m) => [m.id, m.exchange, m.fields]), [
                ['token', false, ['token']],
                ['exchange', true, ['username', 'password', 'salt', 'keyMode', 'plaintextMode']],
            ]);
            assert.strictEqual(timbr.fields.password.kind, 'secret');
            assert.strictEqual(timbr.fields.username.kind, 'name');
            assert.ok(timbr.fields.username.credential && timbr.fields.salt.credential && !timbr.fields.keyMode.credential);
            assert.deepStrictEqual(timbr.fields.keyMode.choices.map((c) => c[0]), ['key', 'md5', 'sha256']);
            assert.strictEqual(timbr.fields.keyMode.default, 'key');
            // an exchange needs the base URL, unless it goes to a URL field of its own (OAuth 2.0's token URL)
            assert.deepStrictEqual(timbr.modes.map((m) => m.needsBaseUrl), [false, true]);
            const oauth2 = table.find((a) => a.id === 'oauth2');
            assert.deepStrictEqual(oauth2.modes.map((m) => [m.id, m.exchange, m.needsBaseUrl]), [['client-credentials', true, false], ['refresh-token', true, false]]);
            assert.ok(oauth2.fields.tokenUrl.exchangeUrl && !oauth2.fields.tokenUrl.credential);
            for (const api of table) {
                assert.ok(api.label && api.baseUrl.startsWith('http'), api.id);
                for (const m of api.modes) for (const f of m.fields) assert.ok(api.fields[f], `${api.id}.${f}`);
            }
        });
    });

    describe('pkg/scheme-table.json: the core\'s table, written by the build', function () {
        it('is exactly core.schemeTable()', function () {
            assert.deepStrictEqual(JSON.parse(require('node:fs').readFileSync(require.resolve('../pkg/scheme-table.json'), 'utf8')), core.schemeTable());
        });

        it('loading the three node files compiles no WebAssembly; the first config node loads the core', function () {
            const out = require('node:child_process').execFileSync(process.execPath, ['-e', `
                const { createRED } = require(${JSON.stringify(require.resolve('../bench/red-stub.js'))});
                const { RED, create } = createRED();
                const pkg = require(${JSON.stringify(require.resolve('../package.json'))});
                const path = require('node:path');
                for (const f of Object.values(pkg['node-red'].nodes)) require(path.join(${JSON.stringify(require('node:path').resolve(__dirname, '..'))}, f))(RED);
                const loaded = () => Object.keys(require.cache).some((k) => k.endsWith('api_auth_core.js'));
                const before = loaded();
                create({ id: 'c1', type: 'api-auth-config', scheme: 'timetagger', mode: 'authtoken' });
                process.stdout.write(JSON.stringify({ before, after: loaded() }));
            `], { encoding: 'utf8' });
            assert.deepStrictEqual(JSON.parse(out), { before: false, after: true });
        });
    });

    describe('Signer: what each scheme adds (the table of CORE_API.md)', function () {
        const json = { 'Content-Type': 'application/json' };
        const cases = [
            [{ scheme: 'timetagger', token: 'tt' }, { authtoken: 'tt' }, {}, {}],
            [{ scheme: 'timetagger', mode: 'bearer', token: 'tt' }, { Authorization: 'Bearer tt' }, {}, {}],
            [{ scheme: 'timbr', token: 'tk_1' }, { 'x-api-key': 'tk_1' }, {}, json],
            [{ scheme: 'nightscout', secret: NS_SECRET }, { 'api-secret': NS_SHA1 }, {}, {}],
            [{ scheme: 'nightscout', mode: 'token', token: 'reader-0123456789abcdef' }, { 'api-secret': 'reader-0123456789abcdef' }, {}, {}],
            [{ scheme: 'nightscout', mode: 'token', placement: 'query', token: 'reader-0123456789abcdef' }, {}, { token: 'reader-0123456789abcdef' }, {}],
            [{ scheme: 'tedee', token: TEDEE_TOKEN }, { api_token: TEDEE_KEY }, {}, {}],
            [{ scheme: 'tedee', placement: 'query', token: TEDEE_TOKEN }, {}, { api_token: TEDEE_KEY }, {}],
            [{ scheme: 'tedee', mode: 'plain', token: TEDEE_TOKEN }, { api_token: TEDEE_TOKEN }, {}, {}],
            [{ scheme: 'tedee', mode: 'plain', placement: 'query', token: TEDEE_TOKEN }, {}, { api_token: TEDEE_TOKEN }, {}],
            [{ scheme: 'header', token: 'abc' }, { Authorization: 'abc' }, {}, {}],
            [{ scheme: 'header', headerName: 'X-Key', prefix: 'Bearer ', token: 'abc' }, { 'X-Key': 'Bearer abc' }, {}, {}],
            [{ scheme: 'header', placement: 'query', token: 'abc' }, {}, { api_key: 'abc' }, {}],
            [{ scheme: 'header', placement: 'query', queryName: 'k', prefix: 'p:', token: 'abc' }, {}, { k: 'p%3Aabc' }, {}],
            // query values come back percent-encoded (encodeURIComponent), so a token cannot add parameters
            [{ scheme: 'header', placement: 'query', token: 'a&admin=1#x' }, {}, { api_key: 'a%26admin%3D1%23x' }, {}],
        ];
        for (const [config, headers, query, extra] of cases) {
            it(`${config.scheme} ${config.mode || ''} ${config.placement || ''}`, function () {
                assert.deepStrictEqual(buildAuth(config, TEDEE_MS), { headers, query, extra });
                const s = new core.Signer(config);
                try {
                    assert.deepStrictEqual(s.build(TEDEE_MS), { headers, query, extra });
                    assert.strictEqual(s.needsExchange(), false);
                    if (s.kind === 'static') assert.deepStrictEqual(s.staticAuth(), { headers, query, extra });
                    else {
                        assert.strictEqual(s.kind, 'fresh');
                        assert.strictEqual(s.staticAuth(), null);
                        assert.deepStrictEqual(s.freshPlace(), { placement: config.placement || 'header', name: 'api_token' });
                        assert.strictEqual(s.freshKey(TEDEE_MS), TEDEE_KEY);
                    }
                    assert.deepStrictEqual(s.queryNames(), Object.keys(query));
                } finally { s.free(); }
            });
        }

        it('an Actyx token goes raw in the query (the server does not percent-decode), and only if it is base64', function () {
            const ax = { scheme: 'actyx', appId: 'com.example.app', displayName: 'App', appVersion: '1.0.0', placement: 'query', baseUrl: 'http://ax' };
            assert.deepStrictEqual(buildAuth(ax, 0, 'AAAAXaZn+/Y3Jl=='), { headers: {}, query: { access_token: 'AAAAXaZn+/Y3Jl==' }, extra: {} });
            const e = throwsField(() => buildAuth(ax, 0, 'tk_x&y=1'), 'exchangedToken');
            assert.strictEqual(e.message, 'exchangedToken: is not base64, so it cannot go raw in the query');
            assert.strictEqual(e.code, 'bad-format');
        });

        it('exchange schemes sign with the exchanged token', function () {
            const ax = { scheme: 'actyx', appId: 'com.example.app', displayName: 'App', appVersion: '1.0.0', baseUrl: 'http://ax' };
            const configs = [
                [{ scheme: 'timbr', mode: 'exchange', username: 'admin', password: 'secret', salt: FERNET_KEY, baseUrl: 'http://t' }, { 'x-api-key': 'tk_x' }, { 'Content-Type': 'application/json' }],
                [{ scheme: 'nightscout', mode: 'jwt', token: 'reader-0123456789abcdef', baseUrl: 'http://ns' }, { Authorization: 'Bearer tk_x' }, {}],
                [ax, { Authorization: 'Bearer tk_x' }, {}],
            ];
            for (const [config, headers, extra] of configs) {
                const e = throwsField(() => buildAuth(config, 0), 'token');
                assert.strictEqual(e.code, 'no-token');
                assert.deepStrictEqual(buildAuth(config, 0, 'tk_x'), { headers, query: {}, extra });
                const s = new core.Signer(config);
                assert.strictEqual(s.needsExchange(), true);
                assert.strictEqual(s.kind, 'exchange');
                assert.deepStrictEqual(s.tokenAuth('tk_x'), { headers, query: {}, extra });
                assert.deepStrictEqual(s.retry(), { fresh: 'token', delayMs: 0 });
                throwsField(() => s.build(0, null), 'token');
                throwsField(() => s.tokenAuth('bad\r\ntoken'), 'exchangedToken');
                s.free();
            }
        });

        it('bad configurations name the field and a stable code, and never show the secret', function () {
            const code = (fn, field, c, secret) => assert.strictEqual(throwsField(fn, field, secret).code, c);
            code(() => buildAuth(null, 0), 'config', 'bad-type');
            code(() => buildAuth({}, 0), 'scheme', 'required');
            code(() => buildAuth({ scheme: 'kerberos' }, 0), 'scheme', 'unknown-value');
            code(() => buildAuth({ scheme: 'timetagger' }, 0), 'token', 'required');
            code(() => buildAuth({ scheme: 'timetagger', token: 5 }, 0), 'token', 'bad-type');
            code(() => buildAuth({ scheme: 'timetagger', mode: 'basic', token: 't' }, 0), 'mode', 'unknown-value');
            // nothing is rewritten to a default: a wrong case is an unknown value too
            code(() => buildAuth({ scheme: 'tedee', mode: 'Plain', token: 't' }, 0), 'mode', 'unknown-value');
            code(() => buildAuth({ scheme: 'timbr', mode: 'exchange', keyMode: 'MD5', username: 'u', password: 'p', salt: 's', baseUrl: 'http://t' }, 0), 'keyMode', 'unknown-value');
            code(() => buildAuth({ scheme: 'tedee', placement: 'cookie', token: 't' }, 0), 'placement', 'unknown-value');
            code(() => buildAuth({ scheme: 'header', headerName: 'Bad Name', token: 't' }, 0), 'headerName', 'bad-format');
            code(() => buildAuth({ scheme: 'timetagger', token: 'verysecrettoken\nx' }, 0), 'token', 'control-char', 'verysecrettoken');
            const e = throwsField(() => buildAuth({ scheme: 'nightscout', secret: ' 12345678 ' }, 0), 'secret', '12345678');
            assert.strictEqual(e.message, 'secret: API_SECRET must be at least 12 characters after trimming (got 8)');
            assert.strictEqual(e.code, 'too-short');
            const k = throwsField(() => buildAuth({ scheme: 'timbr', mode: 'exchange', username: 'u', password: 'p', salt: 'not-a-fernet-key-salt', baseUrl: 'http://t' }, 0), 'salt', 'not-a-fernet-key-salt');
            assert.strictEqual(k.message, 'salt: not a Fernet key (expected 44 url-safe base64 characters decoding to 32 bytes)');
            code(() => buildAuth({ scheme: 'actyx', appId: 'com.acme.app', baseUrl: 'http://a' }, 0), 'appId', 'bad-format');
            code(() => buildAuth({ scheme: 'actyx', appId: 'com.example.app' }, 0), 'baseUrl', 'required');
        });
    });

    describe('Signer: exchanges described as data, replies read by the core', function () {
        it('Nightscout: GET the exchange path, a JWT renewed 5 min before exp; refusals coded', function () {
            const s = new core.Signer({ scheme: 'nightscout', mode: 'jwt', token: 'a b/c', baseUrl: 'http://ns' });
            assert.deepStrictEqual(s.exchangeRequest(0), { method: 'GET', path: '/api/v2/authorization/request/a%20b%2Fc', headers: {}, carried: [] });
            const token = jwt({ accessToken: 'x', iat: 1700000000, exp: 1700028800 });
            assert.deepStrictEqual(s.exchangeReply(200, JSON.stringify({ token, iat: 1700000000, exp: 1700028800 }), 0),
                { token, refreshAtMs: 1700028800000 - 300000, summary: 'JWT valid 28800 s', carried: [] });
            const e = throwsField(() => s.exchangeReply(401, '{"status":401,"message":"Unauthorized","description":"Invalid/Missing"}', 0), 'reply');
            assert.strictEqual(e.code, 'refused');
            assert.match(e.message, /HTTP 401 Unauthorized: Invalid\/Missing/);
            assert.strictEqual(throwsField(() => s.exchangeReply(503, 'busy', 0), 'reply').code, 'server-error');
            assert.strictEqual(throwsField(() => s.exchangeReply(200, '<html>Bad gateway</html>', 0), 'reply').code, 'bad-reply');
            assert.strictEqual(throwsField(() => s.exchangeReply(200, '{"token":"opaque"}', 0), 'token').code, 'bad-reply');
            throwsField(() => s.exchangeReply(99, '{}', 0), 'status');
            assert.deepStrictEqual(s.check(), { method: 'GET', path: '/api/v1/verifyauth' });
            assert.deepStrictEqual(s.checkReply(200, '{"message":{"message":"OK","canRead":true,"canWrite":false}}'), { ok: true, message: 'authorized; canRead: true, canWrite: false' });
            s.free();
        });

        it('Timbr: POST get_token with a fresh Fernet bearer (carried, to be masked); data as list, string or object', function () {
            const s = new core.Signer({ scheme: 'timbr', mode: 'exchange', username: 'admin', password: 'secret', salt: FERNET_KEY, baseUrl: 'http://t' });
            const r = s.exchangeRequest(1700000000000);
            assert.strictEqual(r.method, 'POST');
            assert.strictEqual(r.path, '/timbr/api/get_token');
            assert.strictEqual(r.headers['Content-Type'], 'application/json');
            assert.strictEqual(r.headers.Authorization, 'Bearer ' + r.carried[0]);
            assert.strictEqual(fernetOpen(FERNET_KEY, r.carried[0], 60, 1700000001), 'YWRtaW46c2VjcmV0');
            for (const body of ['{"status":"success","data":["tk_abc"]}', '{"status":"success","data":"tk_abc"}', '{"status":"success","data":{"token":"tk_abc"}}']) {
                assert.strictEqual(s.exchangeReply(200, body, 0).token, 'tk_abc');
            }
            assert.strictEqual(s.exchangeReply(200, '{"data":["tk_abc"]}', 0).refreshAtMs, undefined);
            const e = throwsField(() => s.exchangeReply(200, '{"status":"error","data":"User is locked"}', 0), 'reply');
            assert.strictEqual(e.code, 'refused');
            assert.match(e.message, /User is locked/);
            for (const bad of ['', '<html></html>', '{}', '[]', '{"data":[]}', 'null']) throwsField(() => s.exchangeReply(200, bad, 0), 'reply');
            assert.deepStrictEqual(s.check(), { exchange: true });
            s.free();
        });

        it('Actyx: POST the checked manifest, renewed 60 s before created + validity', function () {
            const s = new core.Signer({ scheme: 'actyx', appId: 'com.example.app', displayName: 'App', appVersion: '1.0.0', baseUrl: 'http://ax' });
            const r = s.exchangeRequest(0);
            assert.deepStrictEqual(JSON.parse(r.body), { appId: 'com.example.app', displayName: 'App', version: '1.0.0' });
            // the sample: created 1620822548954578 µs, validity 86400 s
            assert.deepStrictEqual(s.exchangeReply(200, JSON.stringify({ token: ACTYX_SAMPLE }), 0),
                { token: ACTYX_SAMPLE, refreshAtMs: 1620822548954 + 86400000 - 60000, summary: 'token exchange OK (appId com.example.app, mode trial, valid 86400 s)', carried: [] });
            const e = throwsField(() => s.exchangeReply(400, '{"code":"ERR_MANIFEST_INVALID","message":"Invalid manifest."}', 0), 'reply');
            assert.strictEqual(e.code, 'refused');
            assert.match(e.message, /ERR_MANIFEST_INVALID: Invalid manifest\./);
            s.free();
        });

        it('retry policy, refusal words and hints come from the scheme', function () {
            const tt = new core.Signer({ scheme: 'timetagger', token: 'tt' });
            assert.deepStrictEqual(tt.retry(), { fresh: null, delayMs: 0 });
            assert.strictEqual(tt.refusal('401 unauthorized: The apitoken is revoked (seed does not match)'), '401 unauthorized: The apitoken is revoked (seed does not match)');
            const td = new core.Signer({ scheme: 'tedee', token: TEDEE_TOKEN });
            assert.deepStrictEqual(td.retry(), { fresh: 'key', delayMs: 500 });
            assert.strictEqual(td.refusal('{"error-description":"Invalid token"}'), 'Invalid token');
            const ns = new core.Signer({ scheme: 'nightscout', secret: ' ' + NS_SECRET });
            assert.match(ns.refusal('{"message":"Unauthorized"}'), /^Unauthorized \(API_SECRET had white space around it/);
            assert.deepStrictEqual(ns.derived().slice(0, 1), [NS_SHA1]);
            for (const x of [tt, td, ns]) x.free();
            assert.strictEqual(core.serverWords('{"code":"ERR_TOKEN_EXPIRED","message":"Token expired"}'), 'ERR_TOKEN_EXPIRED: Token expired');
            assert.strictEqual(core.serverWords(undefined), '');
        });
    });

    describe('Signer', function () {
        it('keeps Tedee keys fresh per call and validates nowMs', function () {
            const s = new core.Signer({ scheme: 'tedee', token: ` ${TEDEE_TOKEN}\t` });
            assert.deepStrictEqual(s.warnings(), ['token: surrounding whitespace was removed']);
            assert.strictEqual(s.freshKey(TEDEE_MS), TEDEE_KEY);
            assert.notStrictEqual(s.freshKey(TEDEE_MS + 1), TEDEE_KEY);
            assert.ok(s.freshKey(TEDEE_MS + 1).endsWith(String(TEDEE_MS + 1)));
            for (const bad of [NaN, Infinity, -1, 1.5, 2 ** 53, undefined, 'soon']) {
                throwsField(() => s.freshKey(bad), 'nowMs');
            }
            assert.strictEqual(s.freshKey(TEDEE_MS), TEDEE_KEY);
            s.free();
        });

        it('freshKey is only for schemes that make one; warnings are empty for clean secrets', function () {
            const s = new core.Signer({ scheme: 'timetagger', token: 'tt' });
            assert.deepStrictEqual(s.warnings(), []);
            assert.strictEqual(throwsField(() => s.freshKey(0), 'scheme').code, 'not-supported');
            s.free();
        });

        it('10 000 tedee keys from one signer are all distinct and correct', function () {
            const s = new core.Signer({ scheme: 'tedee', token: TEDEE_TOKEN });
            const seen = new Set();
            for (let i = 0; i < 10000; i++) seen.add(s.freshKey(TEDEE_MS + i));
            assert.strictEqual(seen.size, 10000);
            const crypto = require('node:crypto');
            const ms = TEDEE_MS + 1234;
            assert.strictEqual(s.freshKey(ms), crypto.createHash('sha256').update(TEDEE_TOKEN + ms).digest('hex') + ms);
            s.free();
        });
    });

    describe('Tedee and Nightscout through a Signer (the module has no standalone helpers)', function () {
        it('the module exports only what the nodes use', function () {
            assert.deepStrictEqual(Object.keys(core).sort(), ['Signer', 'Verifier', 'keyBuffer', 'maskSecret', 'schemeTable', 'serverWords']);
        });

        it('Tedee: the seed vector; a bad time is named', function () {
            const s = new core.Signer({ scheme: 'tedee', token: TEDEE_TOKEN });
            assert.strictEqual(s.freshKey(TEDEE_MS), TEDEE_KEY);
            throwsField(() => s.freshKey(-5), 'nowMs');
            s.free();
            throwsField(() => new core.Signer({ scheme: 'tedee', token: '' }), 'token');
        });

        it('Nightscout API_SECRET: the SHA-1 vectors in api-secret; a short secret is refused without showing it', function () {
            for (const [secret, sha1] of [[NS_SECRET, NS_SHA1], ['this is my long pass phrase', 'b723e97aa97846eb92d5264f084b2823f57c4aa1']]) {
                const s = new core.Signer({ scheme: 'nightscout', mode: 'secret', secret });
                assert.strictEqual(s.staticAuth().headers['api-secret'], sha1);
                s.free();
            }
            throwsField(() => new core.Signer({ scheme: 'nightscout', mode: 'secret', secret: 'shortsecret' }), 'secret', 'shortsecret');
        });
    });

    describe('Fernet and Timbr', function () {
        const spec = (name) => require(`./vectors/fernet/${name}.json`);
        const secs = (iso) => Date.parse(iso) / 1000;

        it('the module carries no Fernet decryption (the package never decrypts)', function () {
            assert.strictEqual(core.fernetDecrypt, undefined);
        });

        it('the bearer is a Fernet token of the spec\'s layout (version, the given time), a fresh IV each time, that an independent Fernet opens', function () {
            const g = spec('generate')[0];
            const a = timbrBearer({ username: 'admin', password: 'secret', salt: g.secret }, secs(g.now));
            const b = timbrBearer({ username: 'admin', password: 'secret', salt: g.secret }, secs(g.now));
            assert.notStrictEqual(a, b);
            assert.strictEqual(a.slice(0, 12), g.token.slice(0, 12));
            assert.strictEqual(fernetOpen(g.secret, a, 60, secs(g.now) + 5), 'YWRtaW46c2VjcmV0');
            assert.throws(() => fernetOpen(g.secret, a, 60, secs(g.now) + 61), /expired/);
            assert.throws(() => fernetOpen(FERNET_KEY, a), /bad signature/);
        });

        it('the three key modes, keyed as the Timbr server derives the key; bad salts and modes are named', function () {
            assert.strictEqual(timbrKey(FERNET_KEY, 'key'), FERNET_KEY);
            assert.strictEqual(timbrKey(SALT, 'md5'), 'NTI3ZWEzNzIzNWE1NzE3ZWI2NjRjZWE0OWI2YzQ0NDE=');
            assert.strictEqual(timbrKey(SALT, 'sha256'), 'PgVdkQKq-HVNcfPdVO2ORz1A1MsRA_4LaFRhzJm88Dc=');
            for (const [salt, keyMode] of [[FERNET_KEY, 'key'], [FERNET_KEY, undefined], [SALT, 'md5'], [SALT, 'sha256']]) {
                const t = timbrBearer({ username: 'admin', password: 'secret', salt, keyMode }, 1700000000);
                assert.strictEqual(fernetOpen(timbrKey(salt, keyMode || 'key'), t, 60, 1700000001), 'YWRtaW46c2VjcmV0');
            }
            const base = { scheme: 'timbr', mode: 'exchange', baseUrl: 'http://t', username: 'a', password: 'b' };
            throwsField(() => new core.Signer({ ...base, salt: SALT, keyMode: 'key' }), 'salt', SALT);
            throwsField(() => new core.Signer({ ...base, salt: SALT, keyMode: 'sha1' }), 'keyMode');
        });

        it('the plaintext is base64("user:password") or "user:password", the password exactly as typed', function () {
            const p = timbrBearer({ username: 'admin', password: 'secret', salt: FERNET_KEY, plaintextMode: 'plain' }, 1700000000);
            assert.strictEqual(fernetOpen(FERNET_KEY, p), 'admin:secret');
            // spaces and control characters included
            const spaced = timbrBearer({ username: 'a', password: ' top secret\0 ', salt: FERNET_KEY, plaintextMode: 'plain' }, 1700000000);
            assert.strictEqual(fernetOpen(FERNET_KEY, spaced), 'a: top secret\0 ');
            const base = { scheme: 'timbr', mode: 'exchange', baseUrl: 'http://t' };
            throwsField(() => new core.Signer({ ...base, username: 'admin', password: 'secret' }), 'salt');
            throwsField(() => new core.Signer({ ...base, password: 'secret', salt: FERNET_KEY }), 'username');
            throwsField(() => new core.Signer({ ...base, username: 'a', password: '', salt: FERNET_KEY }), 'password');
            throwsField(() => new core.Signer({ ...base, username: 'a', password: 'b', salt: FERNET_KEY, plaintextMode: 'hex' }), 'plaintextMode');
        });
    });

    describe('server side', function () {
        it('Verifier: tedee keys once, inside the window, never before the memory was made', function () {
            const now = TEDEE_MS;
            const v = new core.Verifier({ scheme: 'tedee', token: TEDEE_TOKEN }, now - 5000);
            const check = (key, at = now) => v.check({ api_token: key }, {}, at, 5000);
            assert.deepStrictEqual(check(TEDEE_KEY), { ok: true, reason: 'ok' });
            assert.deepStrictEqual(check(TEDEE_KEY), { ok: false, reason: 'replay' });
            assert.strictEqual(v.check({}, { api_token: tedeeKey(TEDEE_TOKEN, now + 1) }, now, 5000).reason, 'ok');
            assert.strictEqual(check(tedeeKey(TEDEE_TOKEN, now - 6000)).reason, 'stale');
            assert.strictEqual(check(tedeeKey('other-token', now)).reason, 'mismatch');
            assert.strictEqual(check('nothex').reason, 'bad-format');
            assert.strictEqual(v.check({}, {}, now, 5000).reason, 'missing');
            assert.strictEqual(v.check({}, { api_token: ['a', 'b'] }, now, 5000).reason, 'bad-format');
            assert.strictEqual(check(tedeeKey(TEDEE_TOKEN, now + 2)).reason, 'ok');
            assert.strictEqual(v.size(), 3);
            assert.strictEqual(check(tedeeKey(TEDEE_TOKEN, now - 5001), now - 4000).reason, 'stale', 'before the memory was made');
            assert.strictEqual(check(tedeeKey(TEDEE_TOKEN, now + 60000), now + 60000).reason, 'ok');
            assert.strictEqual(v.size(), 1);
            throwsField(() => v.check({}, {}, NaN, 5000), 'nowMs');
            throwsField(() => v.check({}, {}, now, -1), 'windowMs');
            throwsField(() => v.check({}, {}, now, 3600001), 'windowMs');
            throwsField(() => new core.Verifier({ scheme: 'tedee', token: 't' }, -1), 'nowMs');
            v.free();
        });

        it('Verifier: static schemes, nightscout, header placement; refuses what it cannot verify', function () {
            const tt = new core.Verifier({ scheme: 'timetagger', token: 'tt' }, 10);
            assert.strictEqual(tt.check({ authtoken: 'tt' }, {}, 0, 0).reason, 'ok');
            assert.strictEqual(tt.check({ authtoken: 'tx' }, {}, 0, 0).reason, 'mismatch');
            const ns = new core.Verifier({ scheme: 'nightscout', secret: NS_SECRET }, 10);
            assert.strictEqual(ns.check({ 'api-secret': NS_SHA1 }, {}, 0, 0).reason, 'ok');
            assert.strictEqual(ns.check({ 'api-secret': NS_SECRET }, {}, 0, 0).reason, 'mismatch');
            const nt = new core.Verifier({ scheme: 'nightscout', mode: 'token', token: 'noderedrea-ecaba170b88208db' }, 10);
            assert.strictEqual(nt.check({}, { token: 'noderedrea-ecaba170b88208db' }, 0, 0).reason, 'ok');
            assert.strictEqual(nt.check({ 'api-secret': 'noderedrea-ecaba170b88208db' }, {}, 0, 0).reason, 'ok');
            const hq = new core.Verifier({ scheme: 'header', placement: 'query', queryName: 'key', prefix: 'K-', token: 'abc' }, 10);
            assert.strictEqual(hq.check({}, { key: 'K-abc' }, 0, 0).reason, 'ok');
            assert.strictEqual(hq.check({ key: 'K-abc' }, {}, 0, 0).reason, 'missing');
            for (const c of [
                { scheme: 'actyx', appId: 'com.example.a', displayName: 'a', appVersion: '1', baseUrl: 'http://a' },
                { scheme: 'nightscout', mode: 'jwt', token: 't', baseUrl: 'http://n' },
                { scheme: 'timbr', mode: 'exchange', username: 'u', password: 'p', salt: FERNET_KEY, baseUrl: 'http://t' },
            ]) {
                assert.strictEqual(throwsField(() => new core.Verifier(c, 10), 'mode').code, 'not-supported');
            }
            for (const x of [tt, ns, nt, hq]) x.free();
        });
    });

    it('hundreds of bad inputs in a row leave the module working', function () {
        const junk = [undefined, null, 0, -1, NaN, '', ' ', '\0', '\r\n', 'é', {}, [], 'a.b.c', '{"token":1}', '%%%', 'gAAAAA'];
        for (const a of junk) {
            for (const b of junk) {
                for (const f of [buildAuth, (x, y) => new core.Signer(x).freshKey(y), (x, y) => new core.Verifier(x, y)]) {
                    try { f(a, b, a); } catch (e) {
                        assert.ok(!(e instanceof WebAssembly.RuntimeError), `${f.name}(${a}, ${b}) panicked: ${e.message}`);
                        assert.match(e.message, /^[A-Za-z][\w.-]*: /, `${f.name}: ${e.message}`);
                    }
                }
            }
        }
    });
});
