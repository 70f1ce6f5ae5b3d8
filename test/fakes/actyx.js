'use strict';
// Fake Actyx node: the auth API and a little of the node/events API, answering as a real Actyx
// node (ax 2.18.2) does — status codes, `content-type: application/json` (no charset),
// `{code, message}` bodies and message texts as recorded in PROTOCOLS.md §5 and observed on the
// real node (test/actyx-conformance.spec.js sends the same requests to both and compares).
// The real node runs in the tests (test/support/actyx-node.js); this fake stays for what the real
// node cannot show: a short token validity, a token close to its 24 h expiry (clock knob), faults.
// Plain node:http + node:crypto (Ed25519) and a minimal CBOR encoder/decoder of its own.
//
// What it does, route by route (ax-core/src/api: auth/mod.rs, filters/, node.rs, events/http):
// - POST /api/v2/auth[/…]: other methods -> 405 ERR_METHOD_NOT_ALLOWED "Method not supported.";
//   an Accept header listing neither */* nor application/json -> 406 ERR_NOT_ACCEPTABLE; a
//   Content-Type that is present and not application/json (parameters allowed, any case) -> 415
//   ERR_UNSUPPORTED_MEDIA_TYPE; the body read like serde_json reads AppManifestIo
//   (./actyx-manifest.js) -> 400 ERR_BAD_REQUEST "Invalid request. <serde's words at line L column C>";
//   no signature and appId not starting with 'com.example.' -> 400 ERR_BAD_REQUEST "Invalid request.
//   Trial app id needs to start with 'com.example.'. Got '<id>'."; a signature other than
//   opts.acceptSignature -> 400 ERR_MANIFEST_INVALID "Invalid manifest. <base64 0.13's words, or
//   the CBOR reader's>"; else 200 {"token"} (application/json).
// - GET /api/v2/events/offsets and GET /api/v2/node/info need a token: the first query parameter
//   starting with `access_token=` (taken RAW: not percent-decoded; it wins over the header), else
//   `Authorization`: none -> 401 ERR_MISSING_AUTH_HEADER; first word not exactly `Bearer` -> 401
//   ERR_UNSUPPORTED_AUTH_TYPE; no second word -> 400 ERR_TOKEN_INVALID "… Missing token bytes.";
//   not base64 -> 400 ERR_TOKEN_INVALID "Invalid token: '<t>'. Cannot parse token bytes. …";
//   not a signed message -> 400 ERR_TOKEN_INVALID "… Not a signed token. …"; no valid signature
//   of this node -> 401 ERR_TOKEN_UNAUTHORIZED "Unauthorized token."; other `cycles` (issued before
//   restart()) or created + validity passed (fake clock) -> 401 ERR_TOKEN_EXPIRED "Expired token.".
//   Other methods -> 405. offsets then checks Accept (406) and answers 200 with cache-control: no-cache.
// - GET /api/v2/node/id: NO token needed (any method), Accept must allow text/plain; 200 text/plain
//   with the node id (its Ed25519 key in base64's Crypt alphabet, no padding).
// - anything else -> 404 ERR_NOT_FOUND "The requested resource could not be found."
// - Token: standard base64 of u32 BE length | CBOR map {created (µs), appId, cycles, appVersion,
//   validity (s), appMode} | 0x01 | 32-byte node public key | 64-byte Ed25519 signature.
//
// start(opts) -> { url, port, close(), stats, nodeId, publicKey, cycles, restart(), setClock(fnOrMs),
//   now(), issue(fields?) -> token, failExchange(n, how), down(how), up() }
//   opts: validitySecs (86400; the real node's is fixed), acceptSignature, now, port, failExchange.
const crypto = require('node:crypto');
const { readBody, send, parseUrl, listen, clock } = require('./_util');
const { parseManifest, b64decode013, cryptBase64 } = require('./actyx-manifest');

const JSON_TYPE = 'application/json';

// ---- minimal CBOR (unsigned ints, text strings, maps) ----
function cborHead(major, n) {
    const big = BigInt(n);
    if (big < 24n) return Buffer.from([(major << 5) | Number(big)]);
    if (big < 0x100n) return Buffer.from([(major << 5) | 24, Number(big)]);
    if (big < 0x10000n) { const b = Buffer.alloc(3); b[0] = (major << 5) | 25; b.writeUInt16BE(Number(big), 1); return b; }
    if (big < 0x100000000n) { const b = Buffer.alloc(5); b[0] = (major << 5) | 26; b.writeUInt32BE(Number(big), 1); return b; }
    const b = Buffer.alloc(9); b[0] = (major << 5) | 27; b.writeBigUInt64BE(big, 1); return b;
}
function cborEncode(v) {
    if (typeof v === 'number' || typeof v === 'bigint') {
        if (typeof v === 'number' && (!Number.isSafeInteger(v) || v < 0)) throw new Error('cbor: only unsigned safe integers');
        return cborHead(0, v);
    }
    if (typeof v === 'string') { const s = Buffer.from(v, 'utf8'); return Buffer.concat([cborHead(3, s.length), s]); }
    if (v && typeof v === 'object' && !Array.isArray(v)) {
        const parts = [cborHead(5, Object.keys(v).length)];
        for (const [k, x] of Object.entries(v)) parts.push(cborEncode(k), cborEncode(x));
        return Buffer.concat(parts);
    }
    throw new Error(`cbor: unsupported value ${typeof v}`);
}
function cborDecode(buf) {
    let i = 0;
    const need = (n) => { if (i + n > buf.length) throw new Error('cbor: truncated'); };
    function arg(info) {
        if (info < 24) return BigInt(info);
        const n = { 24: 1, 25: 2, 26: 4, 27: 8 }[info];
        if (!n) throw new Error('cbor: unsupported length encoding');
        need(n);
        let v = 0n;
        for (let k = 0; k < n; k++) v = (v << 8n) | BigInt(buf[i + k]);
        i += n;
        return v;
    }
    function item() {
        need(1);
        const b = buf[i++];
        const major = b >> 5;
        const n = arg(b & 31);
        if (major === 0) {
            if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('cbor: integer too large');
            return Number(n);
        }
        if (major === 3) { const len = Number(n); need(len); const s = buf.toString('utf8', i, i + len); i += len; return s; }
        if (major === 5) {
            const o = {};
            for (let k = 0n; k < n; k++) {
                const key = item();
                if (typeof key !== 'string') throw new Error('cbor: map key is not text');
                o[key] = item();
            }
            return o;
        }
        throw new Error(`cbor: unsupported major type ${major}`);
    }
    const v = item();
    if (i !== buf.length) throw new Error('cbor: trailing bytes');
    return v;
}

/**
 * Decode an Actyx token (standard base64). Throws on anything malformed.
 * -> { payload: {created, appId, cycles, appVersion, validity, appMode}, cbor, publicKey, signature }
 */
function decodeToken(token) {
    if (typeof token !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(token) || token.length % 4 !== 0) {
        throw new Error('token is not standard base64');
    }
    const raw = Buffer.from(token, 'base64');
    if (raw.length < 4) throw new Error('token too short');
    const len = raw.readUInt32BE(0);
    if (raw.length !== 4 + len + 1 + 32 + 64) throw new Error('token length does not match its length prefix');
    const cbor = raw.subarray(4, 4 + len);
    if (raw[4 + len] !== 0x01) throw new Error('unknown key type');
    const publicKey = raw.subarray(5 + len, 5 + len + 32);
    const signature = raw.subarray(5 + len + 32);
    const payload = cborDecode(cbor);
    for (const f of ['created', 'cycles', 'validity']) if (typeof payload[f] !== 'number') throw new Error(`token field ${f} missing`);
    for (const f of ['appId', 'appVersion', 'appMode']) if (typeof payload[f] !== 'string') throw new Error(`token field ${f} missing`);
    return { payload, cbor, publicKey, signature };
}

function rawPublicKey(keyObject) {
    return keyObject.export({ format: 'der', type: 'spki' }).subarray(-32);
}
function publicKeyFromRaw(raw) {
    const prefix = Buffer.from('302a300506032b6570032100', 'hex');
    return crypto.createPublicKey({ key: Buffer.concat([prefix, raw]), format: 'der', type: 'spki' });
}

/** Make a token signed by privateKey (a node:crypto Ed25519 KeyObject). */
function encodeToken(payload, privateKey) {
    const cbor = cborEncode(payload);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(cbor.length);
    const pub = rawPublicKey(crypto.createPublicKey(privateKey));
    const sig = crypto.sign(null, cbor, privateKey);
    return Buffer.concat([len, cbor, Buffer.from([0x01]), pub, sig]).toString('base64');
}

/** What the node does with a token string (ax-core api/auth verify_token), -> {ok, payload} or {status, code, message}. */
function verifyAsNode(token, pubRaw, cycles, nowMicros) {
    const invalid = (msg) => ({ status: 400, code: 'ERR_TOKEN_INVALID', message: `Invalid token: '${token}'. ${msg} Please provide a valid bearer token.` });
    const dec = b64decode013(token);
    if (dec.error) return invalid('Cannot parse token bytes.');
    const raw = dec.bytes;
    // SignedMessage: u32 BE length | message | one or more (0x01 | 32-byte key | 64-byte signature)
    if (raw.length < 4) return invalid('Not a signed token.');
    const len = raw.readUInt32BE(0);
    const rest = raw.length - 4 - len;
    if (rest <= 0 || rest % 97 !== 0) return invalid('Not a signed token.');
    const sigs = new Map();
    for (let at = 4 + len; at < raw.length; at += 97) {
        if (raw[at] !== 0x01) return invalid('Not a signed token.');
        sigs.set(raw.subarray(at + 1, at + 33).toString('hex'), raw.subarray(at + 33, at + 97));
    }
    const message = raw.subarray(4, 4 + len);
    const sig = sigs.get(pubRaw.toString('hex'));
    let ok = false;
    if (sig) { try { ok = crypto.verify(null, message, publicKeyFromRaw(pubRaw), sig); } catch (_) { ok = false; } }
    if (!ok) return { status: 401, code: 'ERR_TOKEN_UNAUTHORIZED', message: 'Unauthorized token.' };
    let payload;
    try {
        payload = cborDecode(message);
        for (const f of ['created', 'cycles', 'validity']) if (typeof payload[f] !== 'number') throw new Error(f);
        for (const f of ['appId', 'appVersion', 'appMode']) if (typeof payload[f] !== 'string') throw new Error(f);
    } catch (_) {
        return invalid('Cannot parse CBOR.');
    }
    if (payload.cycles !== cycles || nowMicros > payload.created + payload.validity * 1e6) {
        return { status: 401, code: 'ERR_TOKEN_EXPIRED', message: 'Expired token.' };
    }
    return { ok: true, payload };
}

/** warp's accept filter as the node uses it: any comma-separated entry equal (lower-cased) to one of `types`. */
function acceptable(header, types) {
    if (header === undefined) return true;
    return String(header).split(',').map((s) => s.trim().toLowerCase()).some((t) => types.includes(t));
}

/** warp's body::json content-type check: absent, or a mime type of exactly application/json. */
function jsonContentType(ct) {
    if (ct === undefined) return true;
    return /^\s*application\/json\s*(;\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+=("[^"]*"|[!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*)*$/i.test(ct);
}

async function start(opts = {}) {
    const validitySecs = opts.validitySecs ?? 86400;
    const acceptSignature = opts.acceptSignature ?? null;
    const clk = clock(opts);
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
    const pubRaw = rawPublicKey(publicKey);
    const nodeId = cryptBase64(pubRaw);
    const stats = { requests: 0, exchanges: 0, exchangeFailures: 0, apiCalls: 0, apiRefusals: 0, restarts: 0, faults: 0, errors: {}, log: [] };
    const nowMicros = () => Math.floor(clk.now() * 1000);
    const startedMs = Date.now();
    let cycles = 0;

    // fault knobs (what a real node cannot be made to do on purpose); bodies in the node's own form
    const FAULT = {
        500: { code: 'ERR_INTERNAL', message: 'Internal server error.' },
        503: { code: 'ERR_SERVICE_OVERLOADED', message: 'Service overloaded. fake fault' },
    };
    function knob() {
        let left = 0;
        let how = 500;
        return {
            set(n, h = 500) { left = n === Infinity ? Infinity : Math.max(0, n | 0); how = h; },
            clear() { left = 0; },
            apply(req, res) {
                if (left <= 0) return false;
                left -= 1;
                stats.faults += 1;
                if (how === 'close') { req.socket.destroy(); return true; }
                send(res, how, JSON.stringify(FAULT[how] || { code: 'ERR_INTERNAL', message: 'Internal server error.' }), JSON_TYPE);
                return true;
            },
        };
    }
    const exchangeFault = knob();
    const allFault = knob();
    if (opts.failExchange) exchangeFault.set(opts.failExchange, opts.failExchangeHow ?? 500);

    const fail = (res, status, code, message) => {
        stats.errors[code] = (stats.errors[code] || 0) + 1;
        send(res, status, JSON.stringify({ code, message }), JSON_TYPE);
    };

    function issue(fields = {}) {
        return encodeToken({
            created: nowMicros(), appId: 'com.example.app', cycles, appVersion: '1.0.0',
            validity: validitySecs, appMode: 'trial', ...fields,
        }, privateKey);
    }

    function manifestInvalid(signature) {
        const dec = b64decode013(signature);
        if (dec.error) return dec.error;
        if (!dec.bytes.length) return 'EOF while parsing a value';
        try {
            cborDecode(dec.bytes);
        } catch (e) {
            if (/truncated/.test(e.message)) return 'EOF while parsing a value';
        }
        return 'invalid signature'; // what serde_cbor / the developer certificate check would say is not modelled
    }

    async function auth(req, res, body) {
        stats.exchanges += 1;
        if (exchangeFault.apply(req, res)) return;
        const bad = (status, code, msg) => { stats.exchangeFailures += 1; fail(res, status, code, msg); };
        if (req.method !== 'POST') return bad(405, 'ERR_METHOD_NOT_ALLOWED', 'Method not supported.');
        if (!acceptable(req.headers.accept, ['*/*', 'application/json'])) {
            return bad(406, 'ERR_NOT_ACCEPTABLE', `Content with type '${req.headers.accept}' was requested but the resource is only capable of generating content of the following type(s): */*, application/json.`);
        }
        if (!jsonContentType(req.headers['content-type'])) return bad(415, 'ERR_UNSUPPORTED_MEDIA_TYPE', "The request's content-type is not supported.");
        const parsed = parseManifest(body);
        if (parsed.error) return bad(400, 'ERR_BAD_REQUEST', `Invalid request. ${parsed.error}`);
        const m = parsed.manifest;
        let appMode = 'trial';
        if (m.signature !== undefined) {
            if (acceptSignature === null || m.signature !== acceptSignature) {
                return bad(400, 'ERR_MANIFEST_INVALID', `Invalid manifest. ${manifestInvalid(m.signature)}`);
            }
            appMode = 'signed';
        }
        send(res, 200, JSON.stringify({ token: issue({ appId: m.appId, appVersion: m.version, appMode }) }), JSON_TYPE);
    }

    /** token from the query (first parameter starting with access_token=, raw) or the Authorization header */
    function tokenOf(req, u) {
        const q = req.url.indexOf('?');
        if (q >= 0) {
            for (const part of req.url.slice(q + 1).split('&')) {
                if (part.startsWith('access_token=')) {
                    let t = part;
                    while (t.startsWith('access_token=')) t = t.slice('access_token='.length); // Rust's trim_start_matches
                    return { token: t };
                }
            }
        }
        void u;
        const header = req.headers.authorization;
        if (header === undefined) return { status: 401, code: 'ERR_MISSING_AUTH_HEADER', message: '"Authorization" header is missing.' };
        const words = String(header).split(/\s+/).filter(Boolean);
        if (words[0] !== 'Bearer') {
            return { status: 401, code: 'ERR_UNSUPPORTED_AUTH_TYPE', message: `Unsupported authentication type '${words[0] || ''}'. Only "Bearer" is supported.` };
        }
        if (words.length < 2) return { status: 400, code: 'ERR_TOKEN_INVALID', message: "Invalid token: ''. Missing token bytes. Please provide a valid bearer token." };
        return { token: words[1] };
    }

    /** -> true when the request may proceed; else it answered */
    function gate(req, res, u) {
        stats.apiCalls += 1;
        const refuse = (r) => { stats.apiRefusals += 1; fail(res, r.status, r.code, r.message); return false; };
        const t = tokenOf(req, u);
        if (t.code) return refuse(t);
        const v = verifyAsNode(t.token, pubRaw, cycles, nowMicros());
        if (!v.ok) return refuse(v);
        return true;
    }

    async function handle(req, res) {
        stats.requests += 1;
        const u = parseUrl(req);
        stats.log.push({ method: req.method, path: u.pathname, url: req.url, rawQuery: Object.fromEntries(u.raw), headers: { ...req.headers } });
        if (stats.log.length > 200) stats.log.shift();
        const body = await readBody(req);
        if (allFault.apply(req, res)) return undefined;
        const path = u.pathname;
        const is = (p) => path === p || path === p + '/';
        if (path === '/api/v2/auth' || path.startsWith('/api/v2/auth/')) return auth(req, res, body);
        if (is('/api/v2/node/id')) {
            if (!acceptable(req.headers.accept, ['*/*', 'text/plain'])) {
                return fail(res, 406, 'ERR_NOT_ACCEPTABLE', `Content with type '${req.headers.accept}' was requested but the resource is only capable of generating content of the following type(s): */*, text/plain.`);
            }
            res.setHeader('cache-control', 'no-cache');
            return send(res, 200, nodeId, 'text/plain; charset=utf-8');
        }
        if (is('/api/v2/events/offsets') || is('/api/v2/node/info')) {
            if (req.method !== 'GET') return fail(res, 405, 'ERR_METHOD_NOT_ALLOWED', 'Method not supported.');
            if (!gate(req, res, u)) return undefined;
            if (is('/api/v2/node/info')) {
                const ms = Date.now() - startedMs;
                return send(res, 200, JSON.stringify({
                    connectedNodes: 0, uptime: { secs: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 },
                    version: '2.18.2-fake', swarmState: { peersStatus: {} },
                }), JSON_TYPE);
            }
            if (!acceptable(req.headers.accept, ['*/*', 'application/json'])) {
                return fail(res, 406, 'ERR_NOT_ACCEPTABLE', `Content with type '${req.headers.accept}' was requested but the resource is only capable of generating content of the following type(s): */*, application/json.`);
            }
            res.setHeader('cache-control', 'no-cache');
            return send(res, 200, JSON.stringify({ present: { [`${nodeId}-0`]: 41 }, toReplicate: {} }), JSON_TYPE);
        }
        return fail(res, 404, 'ERR_NOT_FOUND', 'The requested resource could not be found.');
    }

    const srv = await listen(handle, undefined, opts.port || 0);
    return {
        url: srv.url,
        port: srv.port,
        stats,
        nodeId,
        publicKey: pubRaw,
        validitySecs,
        get cycles() { return cycles; },
        /** a token as /api/v2/auth would issue now (fields override the payload) */
        issue,
        /** node restart: `cycles` + 1, so every token issued before it is expired */
        restart() { stats.restarts += 1; cycles += 1; },
        setClock: clk.set,
        now: clk.now,
        failExchange: (n, how = 500) => exchangeFault.set(n, how),
        down: (how = 503) => allFault.set(Infinity, how),
        up: () => { allFault.clear(); exchangeFault.clear(); },
        close: () => srv.close(),
    };
}

module.exports = { start, decodeToken, encodeToken, cborEncode, cborDecode, verifyAsNode, nodeIdOf: cryptBase64 };
