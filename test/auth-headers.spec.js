'use strict';
// nodes/lib/auth-headers.js: how the auth node puts the core's headers on a request.
const assert = require('node:assert/strict');
const { planOf, oneHeader, oneParam, withAuth, withQuery } = require('../nodes/lib/auth-headers');
const { appendQuery } = require('../nodes/lib/http');

describe('auth headers: the merge of the auth into the flow\'s headers', function () {
    it('replaces a flow header of any case, keeps the others in order, and leaves the flow\'s object alone', function () {
        const built = { headers: { Authorization: 'Bearer t' }, query: {}, extra: {} };
        const flow = { accept: 'application/json', AUTHORIZATION: 'Basic old', 'x-trace': '1' };
        const out = withAuth(flow, planOf(built));
        assert.deepEqual(Object.entries(out), [['accept', 'application/json'], ['x-trace', '1'], ['Authorization', 'Bearer t']]);
        assert.equal(flow.AUTHORIZATION, 'Basic old');
        assert.notEqual(out, flow);
    });

    it('extra headers come first and the scheme\'s headers win a clash; the plan is made once per object', function () {
        const built = { headers: { 'API-SECRET': 'h' }, query: {}, extra: { 'api-secret': 'x', 'x-extra': 'e' } };
        const p = planOf(built);
        assert.equal(planOf(built), p);
        assert.notEqual(planOf({ ...built }), p);
        assert.deepEqual(withAuth(undefined, p), { 'x-extra': 'e', 'API-SECRET': 'h' });
        assert.equal(p.query, null);
    });

    it('a query-only auth keeps every flow header and carries the query', function () {
        const p = planOf({ headers: {}, query: { token: 'abc' }, extra: {} });
        assert.deepEqual(p.query, { token: 'abc' });
        assert.deepEqual(withAuth({ Token: 'flow' }, p), { Token: 'flow' });
        assert.deepEqual(oneParam('api_token', 'k').query, { api_token: 'k' });
    });

    it('a fresh key: one header replacing the flow\'s of any case', function () {
        const lowers = new Set(['api_token']);
        assert.deepEqual(withAuth({ API_TOKEN: 'old', a: '1' }, oneHeader('api_token', lowers, 'new')), { a: '1', api_token: 'new' });
    });

    it('the query: appended at once to a plain URL, else the same as appendQuery (same name replaced, fragment last)', function () {
        const p = planOf({ headers: {}, query: { token: 'a%2Bb', v: '1' }, extra: {} });
        assert.equal(withQuery('http://h/x', p), 'http://h/x?token=a%2Bb&v=1');
        for (const url of ['http://h/x', 'http://h/x?token=old&k=2', 'http://h/x?k=2#frag', 'http://h/x#frag', 'http://h/x?', 'http://h/x?token']) {
            assert.equal(withQuery(url, p), appendQuery(url, p.query), url);
        }
        const f = oneParam('api_token', 'KEY');
        assert.equal(withQuery('http://h/x', f), 'http://h/x?api_token=KEY');
        assert.equal(withQuery('http://h/x?api_token=old#f', f), 'http://h/x?api_token=KEY#f');
    });
});
