'use strict';
// What the core sends, through the product's path (a Signer), for tests that check it with
// independent code (Python, the fake servers' own crypto).

const core = require('../../pkg/api_auth_core.js');

/** The Timbr bearer of an exchange: `config` adds to a Timbr exchange configuration. */
function timbrBearer(config, nowSecs) {
    const s = new core.Signer({ scheme: 'timbr', mode: 'exchange', baseUrl: 'http://t', ...config });
    try {
        const r = s.exchangeRequest(nowSecs * 1000);
        if (r.headers.Authorization !== 'Bearer ' + r.carried[0]) throw new Error('the bearer is not the Authorization header');
        return r.carried[0];
    } finally {
        s.free();
    }
}

module.exports = { timbrBearer };
