'use strict';
// One Python virtual environment for every test that needs a real Python peer:
// the real TimeTagger server (PyPI timetagger==26.1.3) and the `cryptography`
// package's Fernet (interoperability of the Timbr bearer). Created on first use
// under .cache/venv and reused afterwards.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const VENV = process.env.API_AUTH_VENV || path.join(ROOT, '.cache', 'venv');
const PY = path.join(VENV, 'bin', 'python');
const REQUIREMENTS = ['timetagger==26.1.3', 'cryptography'];
const STAMP = path.join(VENV, '.api-auth-requirements');

function ensureVenv() {
    const wanted = REQUIREMENTS.join('\n');
    if (fs.existsSync(PY) && fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8') === wanted) {
        return PY;
    }
    fs.mkdirSync(path.dirname(VENV), { recursive: true });
    const base = process.env.PYTHON || 'python3';
    if (!fs.existsSync(PY)) {
        execFileSync(base, ['-m', 'venv', VENV], { stdio: 'inherit' });
    }
    execFileSync(PY, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...REQUIREMENTS],
        { stdio: 'inherit', timeout: 600000 });
    fs.writeFileSync(STAMP, wanted);
    return PY;
}

module.exports = { ensureVenv, VENV };
