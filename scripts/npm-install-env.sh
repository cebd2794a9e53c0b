# Sourced by scripts/setup.sh: how `npm ci` builds the native packages, and whether node_modules
# is up to date. These settings were in .npmrc, where npm 11 warns "Unknown project config" on
# every npm command (npm run cli, npm test, ...); as environment variables of the one `npm ci`
# command they reach the packages' install scripts just the same (npm_config_* is what npm
# handed them from .npmrc) and warn nowhere else:
#   gdal-async: build against Debian's libgdal-dev (about 5 minutes) instead of the bundled GDAL
#     (45+ minutes): node-pre-gyp reads npm_config_build_from_source and npm_config_shared_gdal;
#   onnxruntime-node: its CPU binaries ship in the package; its install step would otherwise try
#     to download CUDA libraries, which fails on machines without internet.
# A manual install: npm_config_build_from_source=gdal-async npm_config_shared_gdal=true ONNXRUNTIME_NODE_INSTALL=skip npm ci
NPM_INSTALL_ENV=(npm_config_build_from_source=gdal-async npm_config_shared_gdal=true ONNXRUNTIME_NODE_INSTALL=skip)
NPM_INSTALL_STAMP=node_modules/.lingwei-installed

# What node_modules was installed from: the lock, package.json, .npmrc when there is one, and the
# settings above. Run in the repository root.
npm_install_hash() {
  { sha256sum package-lock.json package.json
    if [[ -f .npmrc ]]; then sha256sum .npmrc; fi
    printf '%s\n' "${NPM_INSTALL_ENV[@]}"; } | sha256sum | cut -c1-16
}

# The stamp of an install made while the settings were in .npmrc (this sha256 is that file's):
# built with the same settings, so it needs no new `npm ci` while the lock is unchanged.
LEGACY_NPMRC_SHA256=38d50ce7156cff9e55c8ff68b60645be1b1afdaa1cb48fd2167a32be68763aa3
npm_install_legacy_hash() {
  { sha256sum package-lock.json package.json; printf '%s  .npmrc\n' "$LEGACY_NPMRC_SHA256"; } | sha256sum | cut -c1-16
}

# True when node_modules was installed from this lock with these settings.
npm_install_current() {
  [[ -f $NPM_INSTALL_STAMP ]] || return 1
  local stamp
  stamp=$(cat "$NPM_INSTALL_STAMP")
  [[ $stamp == "$(npm_install_hash)" || $stamp == "$(npm_install_legacy_hash)" ]]
}

npm_install() {
  env "${NPM_INSTALL_ENV[@]}" npm ci --no-audit --no-fund --loglevel=error
  npm_install_hash >"$NPM_INSTALL_STAMP"
}
