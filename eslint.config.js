// typescript-eslint's recommended rules with type information, and the folders' boundaries; run by
// `npm test` (npm run lint).
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Which top-level folders the code of each may import, by its package.json #alias (never by a
 * relative path that leaves the folder). domain/ is the shared vocabulary and rules: everything may
 * import it and it imports nothing of ours. db/ is the SQL; the pipeline and the API are adapters
 * over both; the viewer takes only the domain and the API's contract (api/src/api-contract.ts). Tests, benches and
 * testing/ helpers may reach further (they set up real services), except from domain/. scripts/
 * and models/ are the tools at the top and may import any folder.
 */
const MAY_IMPORT = {
  domain: [],
  db: ['domain'],
  pipeline: ['domain', 'db'],
  api: ['domain', 'db', 'pipeline'],
  viewer: ['domain', 'api'],
  fixtures: ['domain', 'pipeline'],
};
/** Where a folder may take only some modules of another: the viewer, the API's contract alone. */
const ONLY_MODULES = { viewer: { api: ['api-contract.js'] } };
const FOLDERS = ['domain', 'db', 'pipeline', 'api', 'viewer', 'fixtures', 'models', 'scripts'];
/** Visitors that hand every module specifier of a file (imports, re-exports, dynamic imports of a
 * literal) to check(node, specifier). */
const importVisitors = (check) => {
  const fromSource = (node) => check(node.source ?? node, node.source?.value);
  return {
    ImportDeclaration: fromSource,
    ExportNamedDeclaration: (node) => node.source && fromSource(node),
    ExportAllDeclaration: fromSource,
    ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
  };
};

const isTestCode = (file) => /\.(test|bench)\.ts$|\/testing\/|^viewer\/tests\/|^api\/src\/bench\//.test(file);

const folderBoundaries = {
  meta: {
    type: 'problem',
    messages: {
      relative: "'{{spec}}' leaves {{from}}/ for {{to}}/: import it as '#{{to}}/…' (package.json imports).",
      direction: '{{from}}/ may not import {{to}}/ ({{from}}/ may import: {{allowed}}; see MAY_IMPORT in eslint.config.js).',
      onlyModules: "{{from}}/ takes only {{modules}} of {{to}}/, not '{{spec}}' (ONLY_MODULES in eslint.config.js).",
    },
    schema: [],
  },
  create(context) {
    const file = path.relative(import.meta.dirname, context.filename).split(path.sep).join('/');
    const from = file.split('/')[0];
    if (!FOLDERS.includes(from)) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      let to;
      if (spec.startsWith('.')) {
        to = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).split('/')[0];
        if (to !== from) context.report({ node, messageId: 'relative', data: { spec, from, to } });
        return;
      }
      if (spec.startsWith('#')) to = spec.slice(1).split('/')[0];
      if (!to || to === from || !(from in MAY_IMPORT)) return;
      if (from !== 'domain' && isTestCode(file)) return;
      if (!MAY_IMPORT[from].includes(to)) {
        context.report({ node, messageId: 'direction', data: { from, to, allowed: MAY_IMPORT[from].join(', ') || 'nothing' } });
        return;
      }
      const only = ONLY_MODULES[from]?.[to];
      if (only && !only.includes(spec.slice(to.length + 2))) {
        context.report({ node, messageId: 'onlyModules', data: { from, to, spec, modules: only.map((m) => `#${to}/${m}`).join(', ') } });
      }
    };
    return importVisitors(check);
  },
};

/**
 * GDAL is spoken by the raster layer only: pipeline/src/raster/ (rasters, and the one vector
 * reader), the raster store over its media (pipeline/src/raster-store.ts) and gdal.ts, the one
 * import of gdal-async (it sets the axis order before anything else uses GDAL). Stages, the intake and the API call the raster layer's
 * functions. Tests, benches and testing/ helpers may use GDAL to make and check their rasters.
 */
const RASTER_LAYER = /^pipeline\/src\/(raster\/|raster-store\.ts$|gdal\.ts$)/;
const GDAL_MODULE = 'pipeline/src/gdal';

const gdalBehindRasterLayer = {
  meta: {
    type: 'problem',
    messages: {
      gdal: "'{{spec}}' is GDAL: only the raster layer (pipeline/src/raster/, raster-store.ts) may import it; call a function of pipeline/src/raster/ instead.",
    },
    schema: [],
  },
  create(context) {
    const file = path.relative(import.meta.dirname, context.filename).split(path.sep).join('/');
    if (RASTER_LAYER.test(file) || isTestCode(file)) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      let target = null;
      if (spec.startsWith('.')) target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
      else if (spec.startsWith('#pipeline/')) target = `pipeline/src/${spec.slice('#pipeline/'.length)}`;
      const isGdal = spec === 'gdal-async' || spec.startsWith('gdal-async/') || (target !== null && target.replace(/\.(js|ts)$/, '') === GDAL_MODULE);
      if (isGdal) context.report({ node, messageId: 'gdal', data: { spec } });
    };
    return importVisitors(check);
  },
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '**/dist/', '.lingwei/', 'fixtures/scene*/', 'models/**/*.py'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { lingwei: { rules: { 'folder-boundaries': folderBoundaries, 'gdal-behind-raster-layer': gdalBehindRasterLayer } } },
    rules: {
      'lingwei/folder-boundaries': 'error',
      'lingwei/gdal-behind-raster-layer': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
