'use strict';
// JS-level fuzzing of the WebAssembly core: thousands of random and hostile arguments to EVERY
// exported function and method (random strings incl. lone surrogates and control characters,
// 1 MB strings, NaN / ±Infinity / -1 / 2^60, wrong types, null / undefined, objects whose
// getters throw, proxies, freed objects). Every call must return or throw an `Error` — never
// `RuntimeError: unreachable` (a Rust panic aborts the WebAssembly instance) — and the module
// must give the published vectors afterwards. Deterministic: a seeded PRNG (FUZZ_SEED to vary).
const assert = require('node:assert');
const core = require('../pkg/api_auth_core.js');
const { fernetOpen } = require('./fakes/timbr');

const { tedeeKey } = require('./fakes/tedee'); // node:crypto, independent of the core

const SEED = Number(process.env.FUZZ_SEED || 0x5eed1234);
const ROUNDS = Number(process.env.FUZZ_ROUNDS || 1500); // per function

function prng(seed) {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6D2B79F5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const FERNET_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const ACTYX_SAMPLE = 'AAAAXaZnY3JlYXRlZBsABcIhKEY90mVhcHBJZG9jb20uZXhhbXBsZS5hcHBmY3ljbGVzAGphcHBWZXJzaW9uZTEuMC4waHZhbGlkaXR5GgABUYBnYXBwTW9kZWV0cmlhbAEuMkUrR1EHEC/ZPnOm5yCUZCOMwUGqP6UQLOC2r2xWr5ja9HC0KaYXfyQMaQmUcg7nA9BdwWe2KPUtETN1aqQTfeYDTOja38YXd32Ig9NOY39rg5H+ViDm6Lo0OXzYgwQ=';
const HUGE = 'A'.repeat(1 << 20);
const HUGE_UNICODE = '\u{1F511}'.repeat(1 << 17);

function makeGen(rand) {
    const int = (n) => Math.floor(rand() * n);
    const pick = (list) => list[int(list.length)];
    const chars = [
        () => String.fromCharCode(32 + int(95)), // printable ASCII
        () => pick(['\r', '\n', '\0', '\t', '\x7f', '\x01', ' ']),
        () => pick(['\ud800', '\udfff', '\ud83d', '\ude00']), // lone surrogates
        () => String.fromCodePoint(int(0x10ffff + 1) & ~0 /* may be a surrogate */ ),
        () => pick(['é', 'ß', '\u212a', '\u0130', '\u200b', '\ufeff', '\u{1F511}']),
        () => pick(['.', '=', '+', '/', '-', '_', '{', '}', '"', ':', ',', '[', ']', '%', '&', '?', '#']),
    ];
    const fragments = [
        '{"token":', '"data":', '["tk_', '"]', '"status":"error"', '"exp":', '"iat":', '1e999', '-1', 'null',
        '18446744073709551616', 'eyJhbGciOiJIUzI1NiJ9', '.', 'gAAAAA', FERNET_KEY, ACTYX_SAMPLE.slice(0, int(ACTYX_SAMPLE.length)),
        '"\\ud800"', '"\\u0000"', '}', '{', '<html>', 'com.example.', 'Bearer ',
    ];
    function str() {
        const r = rand();
        if (r < 0.01) return HUGE;
        if (r < 0.015) return HUGE_UNICODE;
        if (r < 0.05) return '';
        if (r < 0.3) {
            let s = '';
            for (let i = int(8); i >= 0; i--) s += pick(fragments);
            return s;
        }
        if (r < 0.35) return ACTYX_SAMPLE.slice(0, int(ACTYX_SAMPLE.length)) + pick(['', 'A', '=', '==', '!']);
        if (r < 0.4) return Buffer.from(Array.from({ length: int(200) }, () => int(256))).toString(pick(['base64', 'base64url', 'hex', 'latin1']));
        let s = '';
        const n = int(rand() < 0.9 ? 40 : 300);
        for (let i = 0; i < n; i++) s += pick(chars)();
        return s;
    }
    const numbers = [NaN, Infinity, -Infinity, -1, -0, 0, 0.5, 1.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 - 1, 2 ** 60, 2 ** 64, 1e308, -1e308, Number.MIN_VALUE, 1691058833000, 1700000000];
    function num() {
        return rand() < 0.7 ? pick(numbers) : (rand() - 0.5) * 10 ** int(20);
    }
    const throwing = () => new Proxy({}, {
        get() { throw new Error('getter throws'); },
        has() { throw new Error('has throws'); },
        ownKeys() { throw new Error('ownKeys throws'); },
        getOwnPropertyDescriptor() { throw new Error('descriptor throws'); },
    });
    const getterObj = () => {
        const o = {};
        for (const k of ['scheme', 'mode', 'token', 'secret', 'salt', 'username', 'password', 'appId', 'displayName', 'appVersion', 'version', 'authorization', 'api_token', 'api-secret']) {
            Object.defineProperty(o, k, { get() { throw new Error('boom ' + k); }, enumerable: true });
        }
        return o;
    };
    const SCHEMES = ['timetagger', 'timbr', 'nightscout', 'tedee', 'actyx', 'oauth2', 'header', 'oauth', ''];
    const MODES = ['authtoken', 'bearer', 'token', 'exchange', 'secret', 'jwt', 'encrypted', 'plain', 'client-credentials', 'refresh-token', '', 'x'];
    // every field name the core's table knows, and baseUrl
    const FIELDS = [...new Set(core.schemeTable().flatMap((a) => Object.keys(a.fields)))].concat(['baseUrl']);
    function config() {
        const r = rand();
        if (r < 0.05) return throwing();
        if (r < 0.1) return getterObj();
        const c = { scheme: rand() < 0.9 ? pick(SCHEMES) : any(), mode: rand() < 0.8 ? pick(MODES) : any() };
        for (const f of FIELDS) {
            const x = rand();
            if (x < 0.4) continue;
            if (x < 0.9) c[f] = str();
            else c[f] = any(1);
        }
        if (rand() < 0.3) c.placement = pick(['header', 'query']);
        if (rand() < 0.3) c.salt = FERNET_KEY;
        if (rand() < 0.5) c.baseUrl = 'http://127.0.0.1:1';
        if (rand() < 0.3) c.appId = pick(['com.example.app', 'com.acme.app', 'COM.EXAMPLE.APP', 'com..x']);
        if (rand() < 0.4) c.tokenUrl = pick(['http://127.0.0.1:1/token', 'https://as.example/oauth/token', 'https://u:p@as.example/t', 'ftp://x']);
        return c;
    }
    function any(depth = 0) {
        const r = rand();
        if (r < 0.35) return str();
        if (r < 0.55) return num();
        if (r < 0.6) return null;
        if (r < 0.65) return undefined;
        if (r < 0.68) return rand() < 0.5;
        if (r < 0.7) return 10n ** 30n;
        if (r < 0.72) return Symbol('s');
        if (r < 0.74) return () => 'fn';
        if (r < 0.77) return throwing();
        if (r < 0.8) return getterObj();
        if (r < 0.85 && depth < 2) return [any(depth + 1), any(depth + 1)];
        if (r < 0.9) return new String(str());
        if (depth < 2) return config();
        return {};
    }
    return { str, num, any, config, int, pick, rand };
}

/** Call fn; it must return, or throw an Error that is not a WebAssembly trap. */
function survive(fn, what, stats) {
    try {
        fn();
        stats.ok += 1;
    } catch (e) {
        stats.thrown += 1;
        if (e instanceof WebAssembly.RuntimeError || /unreachable|RuntimeError/.test(String(e && e.stack || e))) {
            throw new Error(`${what}: the core trapped (${e}) — a Rust panic`, { cause: e });
        }
        assert.ok(e instanceof Error, `${what} threw a non-Error: ${String(e)}`);
        assert.strictEqual(typeof e.message, 'string');
    }
}

/** The vectors still come out: the instance is alive and its memory uncorrupted. */
function stillWorks() {
    const k = new core.Signer({ scheme: 'tedee', token: 'BE9xnPnGfVUS' });
    assert.strictEqual(k.freshKey(1691058833000), 'e59d9763edc6e59f2faccf9a769e5cf170d68439c3fd67afae5e3e72d0463a711691058833000');
    k.free();
    const n = new core.Signer({ scheme: 'nightscout', mode: 'secret', secret: 'abcdefghij123456' });
    assert.strictEqual(n.staticAuth().headers['api-secret'], 'bcf210644ec3d5ee81ee80ab9e8907abb49c203d');
    n.free();
    const a = new core.Signer({ scheme: 'actyx', mode: 'exchange', baseUrl: 'http://ax', appId: 'com.example.app', displayName: 'a', appVersion: '1' });
    assert.strictEqual(a.exchangeReply(200, JSON.stringify({ token: ACTYX_SAMPLE }), 0).token, ACTYX_SAMPLE);
    a.free();
    const s = new core.Signer({ scheme: 'timetagger', token: 'tt' });
    assert.deepStrictEqual(s.build(0).headers, { authtoken: 'tt' });
    s.free();
    const tb = new core.Signer({ scheme: 'timbr', mode: 'exchange', baseUrl: 'http://t', username: 'a', password: 'b', salt: FERNET_KEY, plaintextMode: 'plain' });
    assert.strictEqual(fernetOpen(FERNET_KEY, tb.exchangeRequest(1700000000000).carried[0]), 'a:b');
    tb.free();
}

describe('robustness: JS-level fuzzing of every core function (no RuntimeError: unreachable)', function () {
    this.timeout(120000);
    const g = makeGen(prng(SEED));
    const { str, num, any, config } = g;
    const arg = () => (g.rand() < 0.6 ? str() : any());
    const nArg = () => (g.rand() < 0.7 ? num() : any());

    const FUNCTIONS = {
        maskSecret: () => core.maskSecret(arg()),
        serverWords: () => core.serverWords(g.rand() < 0.5 ? JSON.stringify({ code: arg(), message: arg(), data: any(), status: g.pick(['error', 401, arg()]) }) : arg()),
        schemeTable: () => core.schemeTable(any()),
        keyBuffer: () => core.keyBuffer(any()),
        Signer: () => {
            const s = new core.Signer(g.rand() < 0.9 ? config() : any());
            try {
                const calls = {
                    build: () => s.build(nArg(), g.rand() < 0.5 ? undefined : arg()),
                    freshKey: () => s.freshKey(nArg()),
                    freshKeyInto: () => s.freshKeyInto(nArg()),
                    tokenAuth: () => s.tokenAuth(g.rand() < 0.3 ? ACTYX_SAMPLE : arg()),
                    exchangeRequest: () => s.exchangeRequest(nArg()),
                    exchangeReply: () => s.exchangeReply(nArg(), g.rand() < 0.3 ? JSON.stringify({
                        token: g.rand() < 0.5 ? ACTYX_SAMPLE.slice(0, g.int(ACTYX_SAMPLE.length)) : str(), data: [str()], exp: num(),
                        access_token: str(), token_type: g.pick(['Bearer', 'bearer', 'mac', str()]), expires_in: g.rand() < 0.5 ? num() : str(), refresh_token: str(),
                    }) : arg(), nArg()),
                    checkReply: () => s.checkReply(nArg(), arg()),
                    refusal: () => s.refusal(arg()),
                    rest: () => [s.staticAuth(), s.freshPlace(), s.retry(), s.check(), s.derived(), s.queryNames(), s.headerNames(), s.needsExchange(), s.warnings(), s.kind, s.scheme, s.mode],
                };
                for (let i = 0; i < 3; i++) {
                    for (const [name, call] of Object.entries(calls)) survive(call, `Signer.${name}`, { ok: 0, thrown: 0 });
                }
            } finally {
                s.free();
            }
            // a freed object: a clean Error, not a trap
            survive(() => s.build(0), 'freed Signer.build', { ok: 0, thrown: 0 });
        },
        Verifier: () => {
            const v = new core.Verifier(g.rand() < 0.9 ? config() : any(), g.rand() < 0.7 ? 1691058833000 - g.int(50000) : nArg());
            try {
                for (let i = 0; i < 5; i++) {
                    const headers = g.rand() < 0.8 ? { authtoken: arg(), authorization: arg(), 'x-api-key': arg(), 'api-secret': arg(), api_token: arg() } : any();
                    const query = g.rand() < 0.8 ? { token: arg(), api_token: arg(), api_key: arg(), secret: arg() } : any();
                    survive(() => v.check(headers, query, nArg(), nArg()), 'Verifier.check', { ok: 0, thrown: 0 });
                    survive(() => v.size(), 'Verifier.size', { ok: 0, thrown: 0 });
                    survive(() => v.widen(nArg()), 'Verifier.widen', { ok: 0, thrown: 0 });
                    survive(() => v.memoryBytes(), 'Verifier.memoryBytes', { ok: 0, thrown: 0 });
                }
            } finally {
                v.free();
            }
            survive(() => v.size(), 'freed Verifier.size', { ok: 0, thrown: 0 });
        },
    };

    it('covers every exported function', function () {
        const exported = Object.keys(core).filter((k) => typeof core[k] === 'function').sort();
        assert.deepStrictEqual(Object.keys(FUNCTIONS).sort(), exported);
    });

    for (const [name, call] of Object.entries(FUNCTIONS)) {
        it(`${name}: ${ROUNDS} hostile calls, each returns or throws an Error; the module still works`, function () {
            const stats = { ok: 0, thrown: 0 };
            for (let i = 0; i < ROUNDS; i++) survive(call, name, stats);
            assert.strictEqual(stats.ok + stats.thrown, ROUNDS);
            stillWorks();
        });
    }

    // Regression of fuzz/signer (test/regressions/fuzz/signer/header-query-token-not-percent-encoded):
    // CORE_API.md promises query values "ready to append, percent-encoded like encodeURIComponent"
    // (Actyx's raw base64 excepted). A token with '&', '#', '+', '%' or a space must not add a
    // parameter, cut the URL at a fragment or be read back differently by the server.
    it('query values are percent-encoded: a token cannot inject a parameter or a fragment', function () {
        const nasty = 'a&admin=1#frag+b%41 c=d';
        const cases = [
            [{ scheme: 'header', placement: 'query', token: nasty }, 'api_key'],
            [{ scheme: 'header', placement: 'query', queryName: 'k', prefix: 'p&x=', token: nasty }, 'k'],
            [{ scheme: 'nightscout', mode: 'token', placement: 'query', token: nasty }, 'token'],
            [{ scheme: 'tedee', mode: 'plain', placement: 'query', token: nasty }, 'api_token'],
        ];
        for (const [cfg, name] of cases) {
            const signer = new core.Signer(cfg);
            const q = signer.build(1691058833000).query;
            signer.free();
            const value = q[name];
            assert.ok(!/[&#+ =]/.test(value.replace(/%[0-9A-F]{2}/g, '')), `${cfg.scheme}: raw ${JSON.stringify(value)}`);
            const parsed = new URLSearchParams(`${name}=${value}`);
            assert.deepStrictEqual([...parsed.keys()], [name], `${cfg.scheme}: one parameter`);
            assert.strictEqual(parsed.get(name), (cfg.prefix || '') + nasty, `${cfg.scheme}: the server reads the token back`);
        }
    });

    it('a Tedee verifier with a valid key run keeps working after the storm (memory not corrupted)', function () {
        const now = 1691058833000;
        const v = new core.Verifier({ scheme: 'tedee', token: 'BE9xnPnGfVUS' }, now - 10);
        const r = v.check({ api_token: tedeeKey('BE9xnPnGfVUS', now) }, {}, now, 30000);
        assert.deepStrictEqual(r, { ok: true, reason: 'ok' });
        assert.strictEqual(v.check({ api_token: tedeeKey('BE9xnPnGfVUS', now) }, {}, now, 30000).reason, 'replay');
        v.free();
        stillWorks();
    });
});
