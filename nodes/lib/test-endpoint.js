'use strict';
// The config dialog's Test button: build the scheme from the dialog's values, then run the check
// the core describes (signer.check()): a request under the base URL, after the token exchange for
// exchange modes, or the exchange itself. Resolves { ok, status, message } — message is the
// core's reading of the reply (the server's own words), short, never a secret.

const { buildSettings } = require('./settings');
const { runExchange } = require('./exchange');
const { joinUrl, fetchText, redact, appendQuery } = require('./http');

/** `env`: 'resolve' ${VAR} from the environment (a deployed node's saved Base URL) or 'refuse'. */
async function runTest(core, table, body, creds, env, t) {
    const s = buildSettings(table, body, creds, env, t);
    const mask = (x) => core.maskSecret(x);
    const safe = (text, extra = []) => redact(text, s.secrets.concat(extra), mask);
    if (s.problems.length) return { ok: false, status: 0, message: safe(s.problems.map((p) => p.message).join('; ')) };
    // a check under the base URL needs one; an exchange that goes to a URL of its own does not
    // (the core refuses an exchange under a missing base URL itself)
    const api = table.find((a) => a.id === s.scheme);
    const mode = api && (api.modes.find((m) => m.id === body.mode) || api.modes[0]);
    const ownUrl = !!mode && mode.exchange && !mode.needsBaseUrl;
    if (!s.baseUrl && !ownUrl) return { ok: false, status: 0, message: t('api-auth-config.test.noBaseUrl') };
    let signer;
    try {
        signer = new core.Signer(s.coreConfig);
    } catch (err) {
        return { ok: false, status: 0, message: safe(err.message) };
    }
    const label = t('api-auth-config.test.label');
    try {
        let token;
        const check = signer.check();
        if (!s.baseUrl && !check.exchange) return { ok: false, status: 0, message: t('api-auth-config.test.noBaseUrl') };
        if (signer.needsExchange()) {
            let res;
            try {
                res = await runExchange(signer, { baseUrl: s.baseUrl, timeoutMs: s.timeoutMs, label, secrets: s.secrets, mask, t });
            } catch (err) {
                return { ok: false, status: err.status || 0, message: safe(err.message) };
            }
            if (check.exchange) return { ok: true, status: 200, message: safe(res.summary, [res.token]) };
            token = res.token;
        }
        const built = signer.build(Date.now(), token);
        const url = appendQuery(joinUrl(s.baseUrl, check.path), built.query);
        const secrets = Object.values(built.headers).concat(Object.values(built.query), token ? [token] : []);
        const r = await fetchText({ method: check.method, url, headers: Object.assign({}, built.extra, built.headers), timeoutMs: s.timeoutMs, label, what: '', t })
            .catch((err) => ({ error: err }));
        if (r.error) return { ok: false, status: 0, message: safe(r.error.message, secrets) };
        const verdict = signer.checkReply(r.status, r.text);
        return { ok: verdict.ok, status: r.status, message: safe(verdict.message, secrets) };
    } finally {
        try { signer.free(); } catch (_) { /* already freed */ }
    }
}

module.exports = { runTest };
