'use strict';
// Runtime texts through Node-RED's i18n (RED._), as the core nodes do: keys in
// nodes/locales/<lang>/<node>.json, values with __name__ placeholders. Where a runtime answers a
// key with the key itself (node-red-node-test-helper does), the package's English catalog is used,
// so a user never sees a raw key.
//
//   const t = require('./lib/i18n')(RED, 'api-auth');
//   t('api-auth.status.exchanging')          // "exchanging…"
//   t('api-auth.errors.refused', { status })  // with placeholders

const path = require('node:path');

const catalogs = new Map();

function catalog(file) {
    if (!catalogs.has(file)) {
        let c = {};
        try { c = require(path.join(__dirname, '..', 'locales', 'en-US', `${file}.json`)); } catch (_) { /* no catalog */ }
        catalogs.set(file, c);
    }
    return catalogs.get(file);
}

function lookup(cat, key) {
    return key.split('.').reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), cat);
}

function interpolate(text, vars) {
    return String(text).replace(/__([A-Za-z0-9]+)__/g, (m, k) => (vars && vars[k] !== undefined ? String(vars[k]) : m));
}

/** A `t(key, vars)` for the node file `file` (its catalog is nodes/locales/en-US/<file>.json). */
module.exports = function i18n(RED, file) {
    const cat = catalog(file);
    return function t(key, vars) {
        let s = key;
        try { if (RED && typeof RED._ === 'function') s = RED._(key, vars); } catch (_) { s = key; }
        if (typeof s === 'string' && s !== key) return s;
        const en = lookup(cat, key);
        return typeof en === 'string' ? interpolate(en, vars) : key;
    };
};
