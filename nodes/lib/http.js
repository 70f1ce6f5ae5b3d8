'use strict';
// Small HTTP helpers shared by the exchanges and the Test endpoint: one fetch with a timeout and
// no redirects, the server's own words from an error body, and redaction of secrets.

const MAX_WORDS = 200;

class HttpError extends Error {
    constructor(message, props) {
        super(message);
        this.name = 'ApiAuthError';
        Object.assign(this, props);
    }
}

/** Join a base URL and a path without doubling or dropping the slash. */
function joinUrl(base, path) {
    const b = String(base || '').replace(/\/+$/, '');
    if (!path) return b;
    return b + (path.startsWith('/') ? path : '/' + path);
}

/** The path of a URL (no query, no credentials) for error messages. */
function pathOf(url) {
    try {
        return new URL(url).pathname;
    } catch (_) {
        return String(url).split('?')[0];
    }
}

function truncate(s, n = MAX_WORDS) {
    s = String(s).replace(/\s+/g, ' ').trim();
    return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

/**
 * The server's own words from an error body (text, Buffer or parsed object):
 * Actyx {code, message} → "ERR_TOKEN_EXPIRED: …"; Tedee {"error-description"}; Timbr
 * {status:"error", data}; Nightscout {message, description} → "Unauthorized: Invalid/Missing";
 * TimeTagger text/plain "401 unauthorized: …"; anything else: the text, truncated.
 */
function serverWords(body) {
    if (body === undefined || body === null) return '';
    let obj = body;
    if (Buffer.isBuffer(body)) body = body.toString('utf8');
    if (typeof body === 'string') {
        const t = body.trim();
        if (!t) return '';
        try { obj = JSON.parse(t); } catch (_) { return truncate(t); }
    }
    if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
        const parts = [];
        const add = (v) => {
            if (v === undefined || v === null || v === '') return;
            const s = typeof v === 'string' ? v : JSON.stringify(v);
            if (!parts.includes(s)) parts.push(s);
        };
        if (obj.code && typeof obj.code === 'string') add(obj.code);
        if (obj['error-description']) add(obj['error-description']);
        if (obj.error && typeof obj.error === 'string') add(obj.error);
        if (obj.error_description) add(obj.error_description);
        if (obj.message !== undefined && typeof obj.message !== 'object') add(obj.message);
        if (obj.description) add(obj.description);
        if (obj.status === 'error' && obj.data !== undefined) add(obj.data);
        if (parts.length) return truncate(parts.join(': '));
    }
    return truncate(typeof obj === 'string' ? obj : JSON.stringify(obj));
}

/** Replace every occurrence of each secret (≥ 4 chars) in `text` with its masked form. */
function redact(text, secrets, mask) {
    let out = String(text);
    for (const s of secrets || []) {
        if (typeof s !== 'string' || s.length < 4) continue;
        const m = mask ? mask(s) : '****';
        out = out.split(s).join(m);
        // also the percent-encoded form (query strings, paths)
        const enc = encodeURIComponent(s);
        if (enc !== s) out = out.split(enc).join(m);
    }
    return out;
}

function describeNetworkError(err, timeoutMs) {
    if (err && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
        return `no answer within ${Math.round(timeoutMs / 100) / 10} s`;
    }
    const cause = err && err.cause;
    const code = (cause && (cause.code || (cause.errors && cause.errors[0] && cause.errors[0].code))) || (err && err.code);
    if (code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED) — is the server running?';
    if (code) return `cannot reach the server (${code})`;
    if (cause && cause.message) return `cannot reach the server (${truncate(cause.message, 120)})`;
    return `cannot reach the server (${truncate((err && err.message) || String(err), 120)})`;
}

/**
 * fetch with a timeout and no redirects; resolves { status, text, headers }.
 * Network failures reject with an HttpError { code: 'network' } whose message starts with
 * `${label}: ${what} ${METHOD} ${path}: ` — the path only, never the query.
 */
async function fetchText({ method = 'GET', url, headers, body, timeoutMs = 10000, label, what }) {
    const prefix = `${label}: ${what ? what + ' ' : ''}${method} ${pathOf(url)}`;
    let res;
    try {
        res = await fetch(url, {
            method,
            headers,
            body,
            redirect: 'error',
            signal: AbortSignal.timeout(timeoutMs),
        });
    } catch (err) {
        throw new HttpError(`${prefix}: ${describeNetworkError(err, timeoutMs)}`, { code: 'network' });
    }
    let text;
    try {
        text = await res.text();
    } catch (err) {
        throw new HttpError(`${prefix}: ${describeNetworkError(err, timeoutMs)}`, { code: 'network', status: res.status });
    }
    return { status: res.status, text, headers: res.headers, prefix };
}

/**
 * Append ready-encoded query parameters (`{name: value}` from the core) to `url`, replacing an
 * existing parameter of the same name; keeps a #fragment at the end.
 */
function appendQuery(url, query) {
    const names = Object.keys(query || {});
    if (!names.length) return url;
    const hashAt = url.indexOf('#');
    const hash = hashAt >= 0 ? url.slice(hashAt) : '';
    let base = hashAt >= 0 ? url.slice(0, hashAt) : url;
    for (const name of names) {
        const re = new RegExp('([?&])' + name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '=[^&]*(&|$)', 'g');
        base = base.replace(re, (m, a, b) => (b ? a : ''));
        base = base.replace(/[?&]$/, '');
        base += (base.includes('?') ? '&' : '?') + name + '=' + query[name];
    }
    return base + hash;
}

module.exports = { appendQuery, HttpError, joinUrl, pathOf, truncate, serverWords, redact, fetchText, describeNetworkError };
