'use strict';
// Putting the auth the core built ({ headers, query, extra }) on a request: the flow's own headers
// stay, except those the auth replaces (names compare case-insensitively, as in HTTP), then the
// auth's headers follow. The plan (each name once, its lower case, the query) is made once per
// built object: a static scheme's auth is built once per deploy and an exchanged token's once per
// token, so per message the work is one pass over the flow's headers.
//
//   const p = planOf(cfg.staticAuth);        // cached for that object
//   msg.headers = withAuth(flowHeaders, p);  // a new object; flowHeaders is not changed
//   if (p.query) msg.url = withQuery(url, p);

const { appendQuery, queryText } = require('./http');

const PLANS = new WeakMap();
const NONE = new Set();

/** The plan of a built auth `{ headers, query, extra }` (extra first, headers win on a clash). */
function planOf(built) {
    let p = PLANS.get(built);
    if (p === undefined) {
        const byLower = new Map();
        for (const part of [built.extra, built.headers]) {
            for (const name in part) {
                const lower = name.toLowerCase();
                byLower.delete(lower);
                byLower.set(lower, [name, part[name]]);
            }
        }
        const query = Object.keys(built.query || {}).length ? built.query : null;
        p = { entries: [...byLower.values()], lowers: new Set(byLower.keys()), query, queryText: query && queryText(query) };
        PLANS.set(built, p);
    }
    return p;
}

/** A plan of one header (a fresh key), or of one query parameter. */
function oneHeader(name, lowers, value) {
    return { entries: [[name, value]], lowers, query: null, queryText: null };
}
function oneParam(name, value) {
    return { entries: [], lowers: NONE, query: { [name]: value }, queryText: name + '=' + value };
}

/**
 * `url` with the plan's query: appended at once to a URL without a query or fragment (the usual
 * case, text made once per plan), else through appendQuery (which replaces a parameter of the
 * same name and keeps the fragment last).
 */
function withQuery(url, p) {
    if (url.indexOf('?') < 0 && url.indexOf('#') < 0) return url + '?' + p.queryText;
    return appendQuery(url, p.query);
}

/** A copy of `flowHeaders` without the names the plan sets, then the plan's headers. */
function withAuth(flowHeaders, p) {
    const headers = {};
    if (flowHeaders) {
        for (const k of Object.keys(flowHeaders)) if (!p.lowers.has(k.toLowerCase())) headers[k] = flowHeaders[k];
    }
    const e = p.entries;
    for (let i = 0; i < e.length; i++) headers[e[i][0]] = e[i][1];
    return headers;
}

module.exports = { planOf, oneHeader, oneParam, withAuth, withQuery };
