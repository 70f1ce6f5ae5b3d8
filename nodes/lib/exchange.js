'use strict';
// The one exchange runner: it executes the request a scheme describes (signer.exchangeRequest)
// with a timeout, no redirects and a 1 MB cap, and hands the reply back to the core
// (signer.exchangeReply), which makes it a token with a refresh time, or an error carrying the
// server's own words and a code ('refused': these credentials will not do; 'server-error': a
// later try may work; 'bad-reply': not the API's answer). It knows no API.
//
//   const res = await runExchange(signer, { baseUrl, timeoutMs, label, secrets, mask, t });
//   // → { token, refreshAtMs?, summary, notice? }
//
// Every message names the config node, the request (path only) and never a secret: the request's
// `carried` values (a Fernet bearer) are masked along with the configured secrets.

const { HttpError, joinUrl, fetchText, redact } = require('./http');

async function runExchange(signer, { baseUrl, timeoutMs, label, secrets = [], mask, t, now = Date.now }) {
    const req = signer.exchangeRequest(now());
    const safe = (text) => redact(text, secrets.concat(req.carried || []), mask);
    const url = req.url || joinUrl(baseUrl, req.path);
    let r;
    try {
        r = await fetchText({ method: req.method, url, headers: req.headers, body: req.body, timeoutMs, label, what: t('api-auth-config.exchange.what'), t });
    } catch (err) {
        throw new HttpError(safe(err.message), { code: err.code, status: err.status });
    }
    try {
        return signer.exchangeReply(r.status, r.text, now());
    } catch (err) {
        const code = err.code || 'bad-reply';
        const text = code === 'bad-reply'
            ? t('api-auth-config.exchange.badReply', { problem: err.field === 'reply' ? err.message.replace(/^reply: /, '') : err.message })
            : err.message.replace(/^reply: /, '');
        throw new HttpError(safe(`${r.prefix}: ${text}`), { code, status: r.status });
    }
}

module.exports = { runExchange };
