'use strict';
// Interoperability of the Timbr bearer with the reference Fernet: Python's `cryptography`
// (PyPI) decrypts what the WASM core makes, in every key mode, and the core decrypts what
// Python makes. Keys and tokens travel in environment variables, never in argv.
const assert = require('node:assert');
const { execFileSync } = require('node:child_process');
const { fernetOpen, timbrKey } = require('./fakes/timbr');
const { timbrBearer } = require('./support/signer');
const { ensureVenv } = require('./support/python.js');

const FERNET_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const SALT = 'my-api-auth-salt';

function python(py, code, env) {
    return execFileSync(py, ['-c', code], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60000 }).trim();
}

const DECRYPT = `
import os, base64, hashlib
from cryptography.fernet import Fernet
salt, mode = os.environ['API_AUTH_SALT'], os.environ['API_AUTH_KEY_MODE']
if mode == 'key':
    key = salt.encode()
elif mode == 'md5':
    key = base64.urlsafe_b64encode(hashlib.md5(salt.encode()).hexdigest().encode())
else:
    key = base64.urlsafe_b64encode(hashlib.sha256(salt.encode()).digest())
f = Fernet(key)
token = os.environ['API_AUTH_TOKEN'].encode()
print(key.decode())
print(f.extract_timestamp(token))
print(f.decrypt(token, ttl=int(os.environ['API_AUTH_TTL'])).decode())
`;

const ENCRYPT = `
import os
from cryptography.fernet import Fernet
print(Fernet(os.environ['API_AUTH_KEY'].encode()).encrypt(os.environ['API_AUTH_PLAINTEXT'].encode()).decode())
`;

describe('interop: Timbr bearer vs Python cryptography.Fernet', function () {
    this.timeout(600000);
    let py;
    before(function () {
        py = ensureVenv();
    });

    for (const [salt, keyMode] of [[FERNET_KEY, 'key'], [SALT, 'md5'], [SALT, 'sha256']]) {
        for (const plaintextMode of ['base64', 'plain']) {
            it(`Python decrypts a bearer made by the core (keyMode ${keyMode}, plaintext ${plaintextMode})`, function () {
                const now = Math.floor(Date.now() / 1000);
                const token = timbrBearer({ username: 'admin', password: 'secret', salt, keyMode, plaintextMode }, now);
                const out = python(py, DECRYPT, {
                    API_AUTH_SALT: salt, API_AUTH_KEY_MODE: keyMode, API_AUTH_TOKEN: token, API_AUTH_TTL: '60',
                }).split('\n');
                assert.strictEqual(out[0], timbrKey(salt, keyMode), 'Python and the tests derive the same key');
                assert.strictEqual(Number(out[1]), now);
                assert.strictEqual(out[2], plaintextMode === 'plain' ? 'admin:secret' : 'YWRtaW46c2VjcmV0');
            });
        }
    }

    it('Python refuses a bearer under the wrong key (the check is real)', function () {
        const token = timbrBearer({ username: 'admin', password: 'secret', salt: SALT, keyMode: 'md5' }, Math.floor(Date.now() / 1000));
        assert.throws(() => execFileSync(py, ['-c', DECRYPT], {
            env: { ...process.env, API_AUTH_SALT: SALT, API_AUTH_KEY_MODE: 'sha256', API_AUTH_TOKEN: token, API_AUTH_TTL: '60' },
            stdio: 'pipe',
        }));
    });

    it('the tests\' own Fernet (test/fakes/timbr.js, which checks the core\'s tokens) opens what Python made', function () {
        for (const [salt, keyMode] of [[FERNET_KEY, 'key'], [SALT, 'md5'], [SALT, 'sha256']]) {
            const key = timbrKey(salt, keyMode);
            const plaintext = `admin:sécret ${keyMode}`;
            const token = python(py, ENCRYPT, { API_AUTH_KEY: key, API_AUTH_PLAINTEXT: plaintext });
            assert.ok(token.startsWith('gAAAAA'));
            const now = Math.floor(Date.now() / 1000);
            assert.strictEqual(fernetOpen(key, token, 60, now), plaintext);
            assert.throws(() => fernetOpen(timbrKey(SALT, keyMode === 'md5' ? 'sha256' : 'md5'), token, 60, now), /bad signature/);
        }
    });
});
