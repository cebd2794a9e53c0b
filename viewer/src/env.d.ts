/** Set at build time from LINGWEI_BASEMAP_URL (vite.config.ts): an XYZ raster template, or ''. */
declare const __LINGWEI_BASEMAP__: string;

/** Vite: a web worker bundled on its own, imported as its URL. */
declare module '*?worker&url' {
  const url: string;
  export default url;
}
