'use strict';
// The config dialog's Test button: build the scheme from the dialog's values, then ask the API's
// check endpoint. Resolves { ok, status, message } — message is the server's own words, short,
// never a secret.
//
//   timetagger  GET  {base}/version
//   nightscout  GET  {base}/api/v1/verifyauth   (after the JWT exchange in jwt mode; canRead/canWrite)
//   timbr       exchange: POST {base}/timbr/api/get_token; token: GET {base}/timbr/api/ontologies
//   actyx       POST {base}/api/v2/auth
//   tedee       GET  {base}/bridge              (base like http://192.168.1.25/v1.0)
//   header      GET  {base}

const { buildSettings } = require('./settings');
const { EXCHANGES } = require('./exchanges');
const { joinUrl, fetchText, serverWords, redact, truncate, appendQuery } = require('./http');

/** `resolveEnv`: replace ${VAR} from the environment (only for a deployed node's saved Base URL). */
async function runTest(core, body, creds, resolveEnv) {
    const s = buildSettings(body, creds, resolveEnv ? 'resolve' : 'refuse');
    const mask = (x) => core.maskSecret(x);
    const safe = (t) => redact(t, s.secrets, mask);
    if (s.problems.length) return { ok: false, status: 0, message: safe(s.problems.join('; ')) };
    if (!s.baseUrl) return { ok: false, status: 0, message: 'baseUrl: enter the API base URL to test against' };
    let signer;
    try {
        signer = new core.Signer(s.coreConfig);
    } catch (err) {
        return { ok: false, status: 0, message: safe(err.message) };
    }
    const label = 'Test';
    try {
        let token;
        const ctx = { core, label, timeoutMs: s.timeoutMs, secrets: s.secrets };
        if (s.exchange) {
            try {
                const r = await EXCHANGES[s.scheme](ctx, s.coreConfig);
                token = r.token;
                ctx.secrets = s.secrets.concat([token]);
            } catch (err) {
                return { ok: false, status: err.status || 0, message: safe(err.message) };
            }
            if (s.scheme !== 'nightscout') {
                const info = s.scheme === 'actyx' && core.actyxTokenInfo ? tokenInfo(core, token) : '';
                return { ok: true, status: 200, message: `token exchange OK${info}` };
            }
        }
        const built = signer.build(Date.now(), token);
        let url;
        switch (s.scheme) {
            case 'timetagger': url = joinUrl(s.baseUrl, '/version'); break;
            case 'nightscout': url = joinUrl(s.baseUrl, '/api/v1/verifyauth'); break;
            case 'timbr': url = joinUrl(s.baseUrl, '/timbr/api/ontologies'); break;
            case 'tedee': url = joinUrl(s.baseUrl, '/bridge'); break;
            default: url = s.baseUrl;
        }
        url = appendQuery(url, built.query);
        const secrets = ctx.secrets.concat(Object.values(built.headers || {}).map(String));
        const r = await fetchText({ method: 'GET', url, headers: built.headers, timeoutMs: s.timeoutMs, label, what: '' })
            .catch((err) => ({ error: err }));
        if (r.error) return { ok: false, status: 0, message: redact(r.error.message, secrets, mask) };
        const words = redact(serverWords(r.text), secrets, mask);
        if (s.scheme === 'nightscout' && r.status === 200) {
            let m;
            try { m = JSON.parse(r.text).message; } catch (_) { m = null; }
            if (m && typeof m === 'object') {
                const ok = m.message === 'OK';
                return {
                    ok,
                    status: r.status,
                    message: `${ok ? 'authorized' : 'not authorized (' + (m.message || 'UNAUTHORIZED') + ')'}; canRead: ${!!m.canRead}, canWrite: ${!!m.canWrite}${m.isAdmin ? ', isAdmin: true' : ''}`,
                };
            }
        }
        const ok = r.status >= 200 && r.status < 300;
        // accepted: a short confirmation with a glimpse of the answer; refused: the server's words
        if (ok) return { ok, status: r.status, message: `HTTP ${r.status}: credentials accepted${words ? ' (' + truncate(words, 60) + ')' : ''}` };
        return { ok, status: r.status, message: truncate(`HTTP ${r.status}${words ? ' ' + words : ''}`) };
    } finally {
        if (signer.free) { try { signer.free(); } catch (_) { /* ignore */ } }
    }
}

function tokenInfo(core, token) {
    try {
        const i = core.actyxTokenInfo(token);
        return ` (appId ${i.appId}, mode ${i.appMode}, valid ${i.validity} s)`;
    } catch (_) {
        return '';
    }
}

module.exports = { runTest };
