'use strict';
// How a real Actyx node (ax 2.18.2) reads the body of POST /api/v2/auth, for the fake
// (test/fakes/actyx.js): serde_json 1.0 deserializing `AppManifestIo { appId, displayName, version,
// signature? }` (ax-types/src/app_manifest.rs), with the same error texts and the same
// "at line L column C" positions (bytes, as serde_json counts them), then the trial check.
// Also base64 0.13's standard decoder with its exact error texts (the node decodes tokens and
// manifest signatures with it) and the `Crypt` alphabet the node id is written in.
//
// Checked against the real node by test/actyx-conformance.spec.js.

// ---------------------------------------------------------------- base64 0.13 (STANDARD)
const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const CRYPT = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const STD_INDEX = new Map([...STD].map((c, i) => [c.charCodeAt(0), i]));

/** base64 0.13 `decode` (STANDARD): -> { bytes } or { error: 'Invalid byte 61, offset 4.' … } */
function b64decode013(text) {
    const input = Buffer.from(String(text), 'utf8');
    const n = input.length;
    const PAD = 0x3d;
    const rem = n % 8;
    if (rem === 1 || rem === 5) {
        const last = input[n - 1];
        if (last !== PAD && !STD_INDEX.has(last)) return { error: `Invalid byte ${last}, offset ${n - 1}.` };
        return { error: 'Encoded text cannot have a 6-bit remainder.' };
    }
    const start = n - (rem === 0 ? Math.min(8, n) : rem);
    const morsels = [];
    for (let i = 0; i < start; i++) { // whole 8-symbol chunks: every byte must be a symbol ('=' too is invalid here)
        if (!STD_INDEX.has(input[i])) return { error: `Invalid byte ${input[i]}, offset ${i}.` };
        morsels.push(STD_INDEX.get(input[i]));
    }
    let padding = 0;
    let firstPad = 0;
    let last = 0;
    let inLeftover = 0;
    for (let i = 0; start + i < n; i++) {
        const b = input[start + i];
        if (b === PAD) {
            if (i % 4 < 2) return { error: `Invalid byte ${b}, offset ${start + (padding > 0 ? firstPad : i)}.` };
            if (padding === 0) firstPad = i;
            padding += 1;
            continue;
        }
        if (padding > 0) return { error: `Invalid byte ${PAD}, offset ${start + firstPad}.` };
        if (!STD_INDEX.has(b)) return { error: `Invalid byte ${b}, offset ${start + i}.` };
        last = b;
        morsels.push(STD_INDEX.get(b));
        inLeftover += 1;
    }
    // unused low bits of the last symbol must be zero
    const lastMorsel = morsels.length ? morsels[morsels.length - 1] : 0;
    const mask = { 2: 0x0f, 3: 0x03, 6: 0x0f, 7: 0x03 }[inLeftover] || 0;
    if (lastMorsel & mask) return { error: `Invalid last symbol ${last}, offset ${start + inLeftover - 1}.` };
    const out = [];
    let acc = 0;
    let bits = 0;
    for (const m of morsels) {
        acc = (acc << 6) | m;
        bits += 6;
        if (bits >= 8) { bits -= 8; out.push((acc >> bits) & 0xff); acc &= (1 << bits) - 1; }
    }
    return { bytes: Buffer.from(out) };
}

/** base64 with the Crypt alphabet, no padding: how the node writes its id (ax-types NodeId::format). */
function cryptBase64(buf) {
    return Buffer.from(buf).toString('base64').replace(/=+$/, '').replace(/[A-Za-z0-9+/]/g, (c) => CRYPT[STD.indexOf(c)]);
}

// ---------------------------------------------------------------- serde_json, as far as the manifest needs
class JsonError extends Error {}

/** The node's app id rule (ax-types scalar.rs is_app_id): [a-z0-9-] labels separated by single dots. */
function isAppId(s) {
    if (!s) return false;
    let dotAllowed = false;
    for (const c of s) {
        if (!/[0-9a-z-]/.test(c) && (!dotAllowed || c !== '.')) return false;
        dotAllowed = c !== '.';
    }
    return dotAllowed;
}

function rustDebugStr(s) {
    return '"' + String(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t') + '"';
}

function floatText(x) {
    if (!Number.isFinite(x)) return String(x);
    const s = String(x);
    return /[.e]/.test(s) ? s : s + '.0';
}

class Reader {
    constructor(buf) { this.b = buf; this.i = 0; }
    pos(i) {
        let start = 0;
        let line = 1;
        for (let k = 0; k < i; k++) if (this.b[k] === 0x0a) { line += 1; start = k + 1; }
        return { line, column: i - start };
    }
    /** error at the consumed position */
    err(msg) { const p = this.pos(this.i); return new JsonError(`${msg} at line ${p.line} column ${p.column}`); }
    /** error at the peeked position (the offending byte counted) */
    perr(msg) { const p = this.pos(Math.min(this.i + 1, this.b.length)); return new JsonError(`${msg} at line ${p.line} column ${p.column}`); }
    ws() {
        while (this.i < this.b.length && [0x20, 0x09, 0x0a, 0x0d].includes(this.b[this.i])) this.i += 1;
        return this.i < this.b.length ? this.b[this.i] : null;
    }
    ident(rest) {
        for (const ch of rest) {
            if (this.i >= this.b.length) throw this.err('EOF while parsing a value');
            if (this.b[this.i] !== ch.charCodeAt(0)) { this.i += 1; throw this.err('expected ident'); }
            this.i += 1;
        }
    }
    /** after the opening quote; -> the string */
    str() {
        const parts = [];
        let runStart = this.i;
        for (;;) {
            if (this.i >= this.b.length) throw this.err('EOF while parsing a string');
            const c = this.b[this.i];
            if (c === 0x22) {
                parts.push(this.b.subarray(runStart, this.i));
                this.i += 1;
                break;
            }
            if (c < 0x20) throw this.err('control character (\\u0000-\\u001F) found while parsing a string');
            if (c === 0x5c) {
                parts.push(this.b.subarray(runStart, this.i));
                this.i += 1;
                if (this.i >= this.b.length) throw this.err('EOF while parsing a string');
                const e = String.fromCharCode(this.b[this.i]);
                this.i += 1;
                const simple = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }[e];
                if (simple !== undefined) parts.push(Buffer.from(simple));
                else if (e === 'u') {
                    const hex = this.b.subarray(this.i, this.i + 4).toString('latin1');
                    if (!/^[0-9a-fA-F]{4}$/.test(hex)) { this.i = Math.min(this.i + 4, this.b.length); throw this.err(hex.length < 4 ? 'EOF while parsing a string' : 'invalid escape'); }
                    this.i += 4;
                    parts.push(Buffer.from(String.fromCharCode(parseInt(hex, 16)), 'utf8'));
                } else throw this.err('invalid escape');
                runStart = this.i;
                continue;
            }
            this.i += 1;
        }
        const bytes = Buffer.concat(parts);
        const s = bytes.toString('utf8');
        if (!Buffer.from(s, 'utf8').equals(bytes)) throw this.err('invalid unicode code point');
        return s;
    }
    /** a number starting at the current byte -> { kind: 'int'|'float', text } */
    number() {
        const rest = this.b.subarray(this.i).toString('latin1');
        const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(rest);
        if (!m) { this.i += rest.startsWith('-') ? 1 : 0; throw this.perr('invalid number'); }
        this.i += m[0].length;
        if (!m[2] && !m[3]) return { kind: 'int', text: m[0] };
        return { kind: 'float', text: floatText(Number(m[0])) };
    }
    /** what serde calls the unexpected value, consuming scalars (peek_invalid_type) */
    unexpected() {
        const c = this.b[this.i];
        if (c === 0x6e) { this.i += 1; this.ident('ull'); return 'null'; }
        if (c === 0x74) { this.i += 1; this.ident('rue'); return 'boolean `true`'; }
        if (c === 0x66) { this.i += 1; this.ident('alse'); return 'boolean `false`'; }
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
            const n = this.number();
            return n.kind === 'int' ? `integer \`${n.text}\`` : `floating point \`${n.text}\``;
        }
        if (c === 0x22) { this.i += 1; return `string ${rustDebugStr(this.str())}`; }
        if (c === 0x5b) return 'sequence';
        if (c === 0x7b) return 'map';
        throw this.perr('expected value');
    }
    /** any JSON value, discarded (serde's IgnoredAny) */
    skip(depth = 0) {
        const c = this.ws();
        if (c === null) throw this.perr('EOF while parsing a value');
        if (c === 0x22) { this.i += 1; this.str(); return; }
        if (c === 0x6e) { this.i += 1; this.ident('ull'); return; }
        if (c === 0x74) { this.i += 1; this.ident('rue'); return; }
        if (c === 0x66) { this.i += 1; this.ident('alse'); return; }
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) { this.number(); return; }
        if (c === 0x5b || c === 0x7b) {
            if (depth > 127) throw this.perr('recursion limit exceeded');
            const close = c === 0x5b ? 0x5d : 0x7d;
            this.i += 1;
            let first = true;
            for (;;) {
                let p = this.ws();
                if (p === close) { this.i += 1; return; }
                if (!first) {
                    if (p !== 0x2c) throw p === null ? this.perr(close === 0x5d ? 'EOF while parsing a list' : 'EOF while parsing an object') : this.perr(close === 0x5d ? 'expected `,` or `]`' : 'expected `,` or `}`');
                    this.i += 1;
                    p = this.ws();
                    if (p === close) throw this.perr('trailing comma');
                }
                first = false;
                if (close === 0x7d) {
                    if (p === null) throw this.perr('EOF while parsing a value');
                    if (p !== 0x22) throw this.perr('key must be a string');
                    this.i += 1;
                    this.str();
                    this.colon();
                } else if (p === null) throw this.perr('EOF while parsing a list');
                this.skip(depth + 1);
            }
        }
        throw this.perr('expected value');
    }
    colon() {
        const c = this.ws();
        if (c === 0x3a) { this.i += 1; return; }
        throw this.perr(c === null ? 'EOF while parsing an object' : 'expected `:`');
    }
    /** a String field */
    string() {
        const c = this.ws();
        if (c === null) throw this.perr('EOF while parsing a value');
        if (c === 0x22) { this.i += 1; return this.str(); }
        const u = this.unexpected();
        throw this.err(`invalid type: ${u}, expected a string`);
    }
    /** an Option<String> field (null -> undefined) */
    optString() {
        const c = this.ws();
        if (c === 0x6e) { this.i += 1; this.ident('ull'); return undefined; }
        return this.string();
    }
    /** the appId field (ax-types scalar.rs app_id_string) */
    appId() {
        const s = this.string();
        if (!s) throw this.err('expected non-empty string');
        if (!isAppId(s)) throw this.err('appId needs to be a valid DNS name');
        return s;
    }
}

const FIELDS = ['appId', 'displayName', 'version', 'signature'];

function readField(r, name) {
    if (name === 'appId') return r.appId();
    if (name === 'signature') return r.optString();
    return r.string();
}

/**
 * Parse the body of POST /api/v2/auth as the node does.
 * -> { manifest: {appId, displayName, version, signature?} } or { error: 'Invalid request. …' text without the prefix }
 */
function parseManifest(body) {
    const r = new Reader(Buffer.isBuffer(body) ? body : Buffer.from(String(body), 'utf8'));
    try {
        const c = r.ws();
        if (c === null) throw r.perr('EOF while parsing a value');
        const got = {};
        if (c === 0x7b) {
            r.i += 1;
            let first = true;
            let failure = null;
            for (;;) {
                let p = r.ws();
                if (p === 0x7d) break;
                if (!first) {
                    if (p === null) throw r.perr('EOF while parsing an object');
                    if (p !== 0x2c) throw r.perr('expected `,` or `}`');
                    r.i += 1;
                    p = r.ws();
                    if (p === 0x7d) throw r.perr('trailing comma');
                } else if (p === null) throw r.perr('EOF while parsing an object');
                first = false;
                if (p === null) throw r.perr('EOF while parsing a value');
                if (p !== 0x22) throw r.perr('key must be a string');
                r.i += 1;
                const key = r.str();
                if (FIELDS.includes(key)) {
                    if (Object.prototype.hasOwnProperty.call(got, key)) { failure = r.err(`duplicate field \`${key}\``); break; }
                    r.colon();
                    got[key] = readField(r, key);
                } else {
                    r.colon();
                    r.skip();
                }
            }
            // end of map (serde_json runs it even after an error in the visitor)
            const missing = failure ? null : FIELDS.slice(0, 3).find((f) => !Object.prototype.hasOwnProperty.call(got, f));
            const e = r.ws();
            if (failure) throw failure;
            if (e === 0x7d) r.i += 1;
            else if (e === 0x2c) throw r.perr('trailing comma');
            else if (e === null) throw r.perr('EOF while parsing an object');
            else throw r.perr('trailing characters');
            if (missing) throw r.err(`missing field \`${missing}\``);
        } else if (c === 0x5b) {
            r.i += 1;
            let count = 0;
            let failure = null;
            for (const name of FIELDS) {
                let p = r.ws();
                if (p === 0x5d) { failure = `invalid length ${count}, expected struct AppManifestIo with 4 elements`; break; }
                if (count > 0) {
                    if (p === null) throw r.perr('EOF while parsing a list');
                    if (p !== 0x2c) throw r.perr('expected `,` or `]`');
                    r.i += 1;
                    p = r.ws();
                    if (p === 0x5d) throw r.perr('trailing comma');
                } else if (p === null) throw r.perr('EOF while parsing a list');
                got[name] = readField(r, name);
                count += 1;
            }
            const e = r.ws();
            if (e === 0x5d) r.i += 1;
            else if (!failure) {
                if (e === null) throw r.perr('EOF while parsing a list');
                if (e === 0x2c) { r.i += 1; throw r.ws() === 0x5d ? r.perr('trailing comma') : r.perr('trailing characters'); }
                throw r.perr('trailing characters');
            }
            if (failure) throw r.err(failure); // positioned after end_seq, as serde_json's fix_position does
        } else {
            const u = r.unexpected();
            throw r.err(`invalid type: ${u}, expected struct AppManifestIo`);
        }
        // TryFrom<AppManifestIo>: no position in this message
        if (got.signature === undefined && !got.appId.startsWith('com.example.')) {
            return { error: `Trial app id needs to start with 'com.example.'. Got '${got.appId}'.` };
        }
        if (r.ws() !== null) throw r.perr('trailing characters');
        return { manifest: got };
    } catch (e) {
        if (e instanceof JsonError) return { error: e.message };
        throw e;
    }
}

module.exports = { parseManifest, b64decode013, cryptBase64, isAppId };
