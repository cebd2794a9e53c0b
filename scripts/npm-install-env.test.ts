/**
 * The install settings moved from .npmrc to environment variables of setup's `npm ci` (issue 22
 * item 11), checked without running `npm ci`: what the install scripts of gdal-async and
 * onnxruntime-node receive is the same as from the old .npmrc (their own option parsers decide),
 * npm sees the settings (`npm config get`), and the install stamp still says "up to date" for
 * node_modules installed with the old .npmrc, and works with .npmrc changed or gone.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SETTINGS = path.join(ROOT, 'scripts', 'npm-install-env.sh');
/** The .npmrc that held the settings until issue 22. */
const OLD_NPMRC = `# gdal-async: build against Debian's libgdal-dev (about 5 minutes) instead of the bundled GDAL (45+ minutes).
build_from_source=gdal-async
shared_gdal=true
# onnxruntime-node ships its CPU binaries in the package; its install step would otherwise try to
# download CUDA libraries, which fails on machines without internet.
onnxruntime-node-install=skip
fund=false
audit=false
`;
let dir = '';

/** A shell's environment without the npm_config_* variables that npm test or npx hand down. */
const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
const bash = (script: string, cwd = dir) => execFileSync('bash', ['-c', `set -euo pipefail; . '${SETTINGS}'; ${script}`], { cwd, env: cleanEnv(), encoding: 'utf8' });

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-npm-install-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the install settings as environment variables', () => {
  /** A project whose script reports how the two install scripts read their settings. */
  function probeProject(name: string, npmrc: string | null): string {
    const project = path.join(dir, name);
    fs.mkdirSync(project);
    const probe = `const { parseInstallFlag } = require(${JSON.stringify(path.join(ROOT, 'node_modules/onnxruntime-node/script/install-utils.js'))});
const { Run } = require(require.resolve('@mapbox/node-pre-gyp', { paths: [${JSON.stringify(path.join(ROOT, 'node_modules/gdal-async'))}] }));
const gyp = new Run({ package_json_path: ${JSON.stringify(path.join(ROOT, 'node_modules/gdal-async/package.json'))}, argv: ['node', 'node-pre-gyp', 'install', '--fallback-to-build'] });
console.log(JSON.stringify({ buildFromSource: gyp.opts.build_from_source, sharedGdal: gyp.opts.shared_gdal, onnxruntimeInstall: parseInstallFlag() }));`;
    fs.writeFileSync(path.join(project, 'probe.cjs'), probe);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, scripts: { probe: 'node probe.cjs' } }));
    if (npmrc !== null) fs.writeFileSync(path.join(project, '.npmrc'), npmrc);
    return project;
  }

  it('reach gdal-async\'s node-pre-gyp and onnxruntime-node\'s install script as the old .npmrc did', () => {
    const run = (cwd: string, prefix = '') => JSON.parse(bash(`${prefix} npm run --silent probe`, cwd).trim().split('\n').at(-1)!);
    const old = run(probeProject('old', OLD_NPMRC));
    const now = run(probeProject('now', fs.readFileSync(path.join(ROOT, '.npmrc'), 'utf8')), 'env "${NPM_INSTALL_ENV[@]}"');
    // Build from source against the shared (Debian) GDAL; skip onnxruntime's CUDA download.
    expect(old).toEqual({ buildFromSource: 'gdal-async', sharedGdal: 'true', onnxruntimeInstall: false });
    expect(now).toEqual(old);
    // Without them: prebuilt binaries with the bundled GDAL, which is what must not happen.
    expect(run(path.join(dir, 'now'))).toEqual({ onnxruntimeInstall: undefined });
  });

  it('are npm configuration that npm sees (npm config get)', () => {
    const got = bash('env "${NPM_INSTALL_ENV[@]}" npm config get build-from-source shared-gdal 2>/dev/null', ROOT);
    expect(got).toContain('build-from-source=gdal-async');
    expect(got).toContain('shared-gdal=true');
  });

  it('are gone from the project .npmrc, so npm warns about nothing on an ordinary command', () => {
    expect(fs.readFileSync(path.join(ROOT, '.npmrc'), 'utf8')).not.toMatch(/^(build_from_source|shared_gdal|onnxruntime-node-install)=/m);
    const stderr = execFileSync('bash', ['-c', 'npm config get fund 2>&1 >/dev/null'], { cwd: ROOT, env: cleanEnv(), encoding: 'utf8' });
    expect(stderr).toBe('');
  });
});

describe('the install stamp', () => {
  it('says this checkout\'s node_modules is up to date, so setup runs no npm ci', () => {
    expect(bash('npm_install_current && echo current', ROOT).trim()).toBe('current');
  });

  it('works with .npmrc gone, changes when .npmrc, the lock or a setting changes, and takes the old stamp', () => {
    const project = path.join(dir, 'stamp');
    fs.mkdirSync(path.join(project, 'node_modules'), { recursive: true });
    for (const file of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(ROOT, file), path.join(project, file));
    const hash = () => bash('npm_install_hash', project).trim();
    const current = () => bash('if npm_install_current; then echo yes; else echo no; fi', project).trim();
    const bare = hash();
    expect(bare).toMatch(/^[0-9a-f]{16}$/);
    expect(current()).toBe('no');
    fs.writeFileSync(path.join(project, 'node_modules/.lingwei-installed'), `${bare}\n`);
    expect(current()).toBe('yes');
    fs.writeFileSync(path.join(project, '.npmrc'), 'fund=false\n');
    expect([hash() !== bare, current()]).toEqual([true, 'no']);
    fs.rmSync(path.join(project, '.npmrc'));
    expect(bash('NPM_INSTALL_ENV+=(npm_config_extra=1); npm_install_hash', project).trim()).not.toBe(bare);
    // An install stamped by the old setup, with the settings in .npmrc, is the same install.
    fs.writeFileSync(path.join(project, '.npmrc'), OLD_NPMRC);
    const oldStamp = execFileSync('bash', ['-c', 'sha256sum package-lock.json package.json .npmrc | sha256sum | cut -c1-16'], { cwd: project, encoding: 'utf8' });
    fs.rmSync(path.join(project, '.npmrc'));
    fs.writeFileSync(path.join(project, 'node_modules/.lingwei-installed'), oldStamp);
    expect(current()).toBe('yes');
    // ... until the lock changes.
    fs.appendFileSync(path.join(project, 'package-lock.json'), '\n');
    expect(current()).toBe('no');
  });
});
