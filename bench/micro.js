'use strict';
// Micro benchmarks: ns per call of the WASM core against what a user would otherwise write —
// a function node with node:crypto, a Postman-style CryptoJS script, npm's `fernet` package.
//
// Every alternative is first checked to give the same answer as the core (the Fernet tokens are
// decrypted by the core), so a figure can never come from code that does something else.

const assert = require('node:assert');
const crypto = require('node:crypto');
const CryptoJS = require('crypto-js');
const fernetPkg = require('fernet');
const { interleaved } = require('./lib');

const core = require('../pkg/api_auth_core.js');

// Fixed inputs (the seed vectors of PROTOCOLS.md where there is one).
const TEDEE_TOKEN = 'BE9xnPnGfVUS';
const NS_SECRET = 'abcdefghij123456';
const TIMBR = { username: 'bench-user', password: 'bench-password-1', salt: 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=' };
const TIMBR_PLAIN = Buffer.from(`${TIMBR.username}:${TIMBR.password}`).toString('base64');
const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhY2Nlc3NUb2tlbiI6Im5vZGVyZWRyZWEtZWNhYmExNzBiODgyMDhkYiIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDI4ODAwfQ.c2lnbmF0dXJlLW9mLXRoZS1iZW5jaA';
const ACTYX = 'AAAAWaZjcmVhdGVkGwAF7Zi-qGAAZWFwcElkbWNvbS5leGFtcGxlLmFwcGZjeWNsZXMAanZhbGlkaXR5GgABUYBnYXBwTW9kZWV0cnVzdGVk';
const START_MS = 1691058833000;

// ---- what users write instead of the core -------------------------------------------------

const nodeTedee = (token, ms) => crypto.createHash('sha256').update(token + ms).digest('hex') + ms;
const cjsTedee = (token, ms) => CryptoJS.SHA256(token + ms).toString() + ms;
const nodeSha1 = (s) => crypto.createHash('sha1').update(s).digest('hex');
const cjsSha1 = (s) => CryptoJS.SHA1(s).toString();

const b64urlPadded = (buf) => buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');

/** Fernet with node:crypto (spec: 0x80 | ts(8) | iv(16) | AES-128-CBC | HMAC-SHA256). */
function nodeFernet(keyBuf, plaintext, nowSecs) {
    const signKey = keyBuf.subarray(0, 16);
    const encKey = keyBuf.subarray(16, 32);
    const iv = crypto.randomBytes(16);
    const c = crypto.createCipheriv('aes-128-cbc', encKey, iv);
    const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
    const head = Buffer.alloc(9);
    head[0] = 0x80;
    head.writeBigUInt64BE(BigInt(nowSecs), 1);
    const body = Buffer.concat([head, iv, ct]);
    const mac = crypto.createHmac('sha256', signKey).update(body).digest();
    return b64urlPadded(Buffer.concat([body, mac]));
}

/** Fernet with CryptoJS, as a Postman pre-request script does it. */
function cjsFernet(keyWords, plaintext, nowSecs) {
    const signKey = CryptoJS.lib.WordArray.create(keyWords.words.slice(0, 4), 16);
    const encKey = CryptoJS.lib.WordArray.create(keyWords.words.slice(4, 8), 16);
    const iv = CryptoJS.lib.WordArray.random(16);
    const ct = CryptoJS.AES.encrypt(CryptoJS.enc.Utf8.parse(plaintext), encKey, { iv, mode: CryptoJS.mode.CBC, padding: CryptoJS.pad.Pkcs7 }).ciphertext;
    const body = CryptoJS.enc.Hex.parse('80' + nowSecs.toString(16).padStart(16, '0')).concat(iv).concat(ct);
    const mac = CryptoJS.HmacSHA256(body, signKey);
    return CryptoJS.enc.Base64.stringify(body.concat(mac)).replace(/\+/g, '-').replace(/\//g, '_');
}

// ---- header building: the same {headers, query} the core returns, written by hand -----------

const JS_BUILD = {
    'timetagger authtoken': { config: { scheme: 'timetagger', token: TEDEE_TOKEN }, node: () => ({ headers: { authtoken: TEDEE_TOKEN }, query: {} }) },
    'timbr token': { config: { scheme: 'timbr', token: TEDEE_TOKEN }, node: () => ({ headers: { 'x-api-key': TEDEE_TOKEN, 'Content-Type': 'application/json' }, query: {} }) },
    'timbr exchange': {
        config: { scheme: 'timbr', mode: 'exchange', baseUrl: 'http://x', ...TIMBR }, exchanged: TEDEE_TOKEN,
        node: (x) => ({ headers: { 'x-api-key': x, 'Content-Type': 'application/json' }, query: {} }),
    },
    'nightscout secret': {
        config: { scheme: 'nightscout', mode: 'secret', secret: NS_SECRET },
        node: () => ({ headers: { 'api-secret': nodeSha1(NS_SECRET) }, query: {} }),
        cryptojs: () => ({ headers: { 'api-secret': cjsSha1(NS_SECRET) }, query: {} }),
    },
    'nightscout token query': {
        config: { scheme: 'nightscout', mode: 'token', placement: 'query', token: 'noderedrea-ecaba170b88208db' },
        node: () => ({ headers: {}, query: { token: encodeURIComponent('noderedrea-ecaba170b88208db') } }),
    },
    'nightscout jwt': {
        config: { scheme: 'nightscout', mode: 'jwt', baseUrl: 'http://x', token: 'noderedrea-ecaba170b88208db' }, exchanged: JWT,
        node: (x) => ({ headers: { Authorization: 'Bearer ' + x }, query: {} }),
    },
    'tedee encrypted': {
        config: { scheme: 'tedee', token: TEDEE_TOKEN }, hashed: true,
        node: (x, ms) => ({ headers: { api_token: nodeTedee(TEDEE_TOKEN, ms) }, query: {} }),
        cryptojs: (x, ms) => ({ headers: { api_token: cjsTedee(TEDEE_TOKEN, ms) }, query: {} }),
    },
    'tedee encrypted query': {
        config: { scheme: 'tedee', token: TEDEE_TOKEN, placement: 'query' }, hashed: true,
        node: (x, ms) => ({ headers: {}, query: { api_token: nodeTedee(TEDEE_TOKEN, ms) } }),
        cryptojs: (x, ms) => ({ headers: {}, query: { api_token: cjsTedee(TEDEE_TOKEN, ms) } }),
    },
    'actyx header': {
        config: { scheme: 'actyx', baseUrl: 'http://x', appId: 'com.example.app', displayName: 'Bench', appVersion: '1.0.0' }, exchanged: ACTYX,
        node: (x) => ({ headers: { Authorization: 'Bearer ' + x }, query: {} }),
    },
    'header': {
        config: { scheme: 'header', token: TEDEE_TOKEN, headerName: 'X-Api-Key', prefix: 'Key ' },
        node: () => ({ headers: { 'X-Api-Key': 'Key ' + TEDEE_TOKEN }, query: {} }),
    },
};

function sameShape(a, b, what) {
    // the core keeps non-secret headers (Timbr's Content-Type) apart: the request carries both
    const merged = (x) => ({ headers: Object.assign({}, x.extra || {}, x.headers), query: x.query });
    assert.deepStrictEqual(JSON.parse(JSON.stringify(merged(a))), JSON.parse(JSON.stringify(merged(b))), `${what}: the hand-written version differs from the core`);
}

function run({ smoke = false } = {}) {
    const opts = smoke ? { rounds: 3, warmup: 1, iters: 300 } : { rounds: 15, warmup: 3, iters: 20000 };
    const out = {};

    // Tedee key --------------------------------------------------------------------------------
    const signer = new core.Signer({ scheme: 'tedee', token: TEDEE_TOKEN });
    assert.strictEqual(signer.freshKey(START_MS), nodeTedee(TEDEE_TOKEN, START_MS));
    assert.strictEqual(core.tedeeApiKey(TEDEE_TOKEN, START_MS), cjsTedee(TEDEE_TOKEN, START_MS));
    let ms = START_MS;
    out.tedeeKey = interleaved([
        { key: 'wasm', fn: () => signer.freshKey(ms++) },
        { key: 'wasmTedeeApiKey', fn: () => core.tedeeApiKey(TEDEE_TOKEN, ms++) },
        { key: 'nodeCrypto', fn: () => nodeTedee(TEDEE_TOKEN, ms++) },
        { key: 'cryptoJs', fn: () => cjsTedee(TEDEE_TOKEN, ms++) },
    ], opts);

    // Nightscout secret hash ---------------------------------------------------------------------
    assert.strictEqual(core.nightscoutSecretHash(NS_SECRET), nodeSha1(NS_SECRET));
    assert.strictEqual(cjsSha1(NS_SECRET), nodeSha1(NS_SECRET));
    out.nightscoutSecretHash = interleaved([
        { key: 'wasm', fn: () => core.nightscoutSecretHash(NS_SECRET) },
        { key: 'nodeCrypto', fn: () => nodeSha1(NS_SECRET) },
        { key: 'cryptoJs', fn: () => cjsSha1(NS_SECRET) },
    ], opts);

    // Timbr Fernet bearer (key mode 'key', plaintext base64("user:password")) ----------------------
    const keyBuf = Buffer.from(TIMBR.salt.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    const keyWords = CryptoJS.enc.Base64.parse(TIMBR.salt.replace(/-/g, '+').replace(/_/g, '/'));
    const fSecret = new fernetPkg.Secret(TIMBR.salt);
    const secs = Math.floor(START_MS / 1000);
    const pkgFernet = () => new fernetPkg.Token({ secret: fSecret, time: new Date(secs * 1000).toISOString() }).encode(TIMBR_PLAIN);
    for (const [name, tok] of [
        ['wasm', core.timbrBearer(TIMBR, secs)], ['nodeCrypto', nodeFernet(keyBuf, TIMBR_PLAIN, secs)],
        ['cryptoJs', cjsFernet(keyWords, TIMBR_PLAIN, secs)], ['npmFernet', pkgFernet()],
    ]) {
        assert.strictEqual(core.fernetDecrypt(TIMBR.salt, tok), TIMBR_PLAIN, `${name}: its Fernet token does not decrypt to the plaintext`);
        assert.strictEqual(Buffer.from(tok, 'base64').readBigUInt64BE(1), BigInt(secs), `${name}: wrong Fernet timestamp`);
    }
    out.timbrFernetBearer = interleaved([
        { key: 'wasm', fn: () => core.timbrBearer(TIMBR, secs) },
        { key: 'nodeCrypto', fn: () => nodeFernet(keyBuf, TIMBR_PLAIN, secs) },
        { key: 'cryptoJs', fn: () => cjsFernet(keyWords, TIMBR_PLAIN, secs) },
        { key: 'npmFernet', fn: pkgFernet },
    ], smoke ? opts : { ...opts, iters: 2000 });

    // signer.build(now, exchanged) for each scheme ----------------------------------------------
    out.build = {};
    for (const [name, b] of Object.entries(JS_BUILD)) {
        const s = new core.Signer(b.config);
        const x = b.exchanged;
        sameShape(s.build(START_MS, x), b.node(x, START_MS), name);
        if (b.cryptojs) sameShape(s.build(START_MS, x), b.cryptojs(x, START_MS), name + ' (crypto-js)');
        let t = START_MS;
        const cases = [
            { key: 'wasm', fn: () => s.build(t++, x) },
            { key: 'nodeCrypto', fn: () => b.node(x, t++) },
        ];
        if (b.cryptojs) cases.push({ key: 'cryptoJs', fn: () => b.cryptojs(x, t++) });
        out.build[name] = interleaved(cases, opts);
        s.free();
    }
    signer.free();
    return out;
}

module.exports = { run, nodeTedee, TEDEE_TOKEN };
