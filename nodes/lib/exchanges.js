'use strict';
// One small function per token exchange: fetch in JavaScript, parse in the Rust core.
// Each resolves { token, expiresAtMs?, lifetimeMs? } for the TokenCache, or rejects with an
// HttpError whose message names the config node, the request (path only), the HTTP status and
// the server's own words — never a secret (every message goes through `redact`).
//
// ctx: { core, label, timeoutMs, secrets: [..] }   cfg: the core scheme configuration

const { HttpError, joinUrl, fetchText, serverWords, redact } = require('./http');

function safe(ctx, text) {
    return redact(text, ctx.secrets, ctx.core && ctx.core.maskSecret);
}

/** `carried`: what the request carries that is as good as a secret (a Fernet bearer): masked too. */
async function call(ctx, req, carried = []) {
    ctx = { ...ctx, secrets: (ctx.secrets || []).concat(carried) };
    let r;
    try {
        r = await fetchText({ ...req, timeoutMs: ctx.timeoutMs, label: ctx.label, what: 'token exchange' });
    } catch (err) {
        throw new HttpError(safe(ctx, err.message), { code: err.code, status: err.status });
    }
    if (r.status < 200 || r.status > 299) {
        const words = serverWords(r.text);
        throw new HttpError(safe(ctx, `${r.prefix}: HTTP ${r.status}${words ? ' ' + words : ''}`),
            { status: r.status, words: safe(ctx, words) });
    }
    r.ctx = ctx;
    return r;
}

function parse(ctx, r, fn) {
    try {
        return fn(r.text);
    } catch (err) {
        throw new HttpError(safe(r.ctx || ctx, `${r.prefix}: unexpected reply (${err.message})`), { status: r.status });
    }
}

/** Timbr: POST {base}/timbr/api/get_token with a fresh Fernet bearer → the user token. */
async function timbr(ctx, cfg) {
    const { core } = ctx;
    const bearer = core.timbrBearer({
        username: cfg.username,
        password: cfg.password,
        salt: cfg.salt,
        keyMode: cfg.keyMode,
        plaintextMode: cfg.plaintextMode,
    }, Math.floor(Date.now() / 1000));
    const r = await call(ctx, {
        method: 'POST',
        url: joinUrl(cfg.baseUrl, '/timbr/api/get_token'),
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + bearer },
    }, [bearer]);
    const token = parse(ctx, r, (t) => core.timbrParseTokenReply(t));
    return { token };
}

/** Nightscout: GET {base}/api/v2/authorization/request/<accessToken> → JWT, renewed before exp. */
async function nightscout(ctx, cfg) {
    const { core } = ctx;
    const r = await call(ctx, {
        method: 'GET',
        url: joinUrl(cfg.baseUrl, core.nightscoutExchangePath(cfg.token)),
    });
    const reply = parse(ctx, r, (t) => core.nightscoutParseJwtReply(t)); // refuses a token that is not a JWT
    const out = { token: reply.token };
    if (typeof reply.exp === 'number') {
        out.expiresAtMs = reply.exp * 1000;
        if (typeof reply.iat === 'number' && reply.exp > reply.iat) out.lifetimeMs = (reply.exp - reply.iat) * 1000;
    }
    return out;
}

/** Actyx: POST {base}/api/v2/auth with the app manifest → bearer token, renewed before created+validity. */
async function actyx(ctx, cfg) {
    const { core } = ctx;
    const body = core.actyxValidateManifest({
        appId: cfg.appId,
        displayName: cfg.displayName,
        appVersion: cfg.appVersion,
        version: cfg.appVersion,
        signature: cfg.signature || undefined,
    });
    const r = await call(ctx, {
        method: 'POST',
        url: joinUrl(cfg.baseUrl, '/api/v2/auth'),
        headers: { 'Content-Type': 'application/json' },
        body,
    });
    const reply = parse(ctx, r, (t) => core.actyxParseTokenReply(t));
    const out = { token: reply.token };
    if (typeof reply.expiresMs === 'number' && Number.isFinite(reply.expiresMs)) {
        out.expiresAtMs = reply.expiresMs;
        if (typeof reply.validity === 'number' && reply.validity > 0) out.lifetimeMs = reply.validity * 1000;
    }
    return out;
}

const EXCHANGES = { timbr, nightscout, actyx };

/** Renewal margins: Nightscout 5 min (or 10% of the lifetime), Actyx 60 s; Timbr tokens do not expire. */
const MAX_MARGIN_MS = { timbr: 0, nightscout: 5 * 60 * 1000, actyx: 60 * 1000 };

module.exports = { timbr, nightscout, actyx, EXCHANGES, MAX_MARGIN_MS };
