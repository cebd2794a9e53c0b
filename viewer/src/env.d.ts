/** Vite: a web worker bundled on its own, imported as its URL. */
declare module '*?worker&url' {
  const url: string;
  export default url;
}
