/**
 * The archive's one stylesheet, served as a file so the Content-Security-Policy needs no inline
 * style. Colours keep at least 7:1 contrast on white (WCAG AAA for text), sizes in rem so the
 * reader's own font size wins, one column from 320 px up.
 */
export const ARCHIVE_CSS = `
*, *::before, *::after { box-sizing: border-box; }
html { font-size: 100%; -webkit-text-size-adjust: 100%; }
body {
  margin: 0 auto; max-width: 42rem; padding: 0 1rem 2rem;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  line-height: 1.55; color: #1a1a1a; background: #fff; overflow-wrap: anywhere;
}
header { border-bottom: 0.25rem solid #0b4f9c; padding: 1rem 0 0.5rem; margin-bottom: 1rem; }
header p { margin: 0; }
.sito { font-size: 1.25rem; font-weight: 700; }
.sottotitolo { color: #404040; }
a { color: #0b4f9c; text-decoration: underline; text-underline-offset: 0.15em; }
a:visited { color: #5b2a86; }
a:focus-visible { outline: 0.2rem solid #1a1a1a; outline-offset: 0.15rem; }
.salta { position: absolute; left: -999rem; }
.salta:focus { position: static; display: inline-block; padding: 0.5rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0.5rem 0; }
h2 { font-size: 1.2rem; line-height: 1.3; margin: 0 0 0.25rem; }
.elenco { list-style: none; padding: 0; margin: 0; }
.elenco li { border-bottom: 1px solid #d0d0d0; padding: 0.75rem 0; }
.elenco p { margin: 0.25rem 0; }
.meta, .numero { color: #404040; font-size: 0.95rem; margin: 0.25rem 0; }
.urgente { background: #a4001d; color: #fff; padding: 0 0.35rem; border-radius: 0.2rem; font-weight: 700; }
.categoria { font-weight: 700; }
.testo { margin: 1rem 0; }
blockquote { margin: 0.5rem 0; padding-left: 0.75rem; border-left: 0.25rem solid #767676; }
pre { white-space: pre-wrap; background: #f3f3f3; padding: 0.5rem; }
code { font-family: ui-monospace, monospace; }
figure { margin: 1rem 0; }
img { max-width: 100%; height: auto; }
.codice { margin-top: 1.5rem; padding: 0.75rem; background: #f3f6fa; border: 1px solid #c5d3e6; }
footer { margin-top: 2rem; border-top: 1px solid #d0d0d0; font-size: 0.95rem; color: #404040; }
`;
