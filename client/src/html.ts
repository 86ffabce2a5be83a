// The one HTML-escaping function every webview uses: text and attribute values (quotes included) from
// logs, file names and kernels are untrusted, so everything passes through here. No vscode import, so
// the views' HTML builders stay pure functions a unit test can call.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe in an element's content and in a quoted attribute value. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** JSON safe inside a <script> element: no `</script>`, no `<!--`. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A fresh nonce for a webview's CSP. */
export function makeNonce(): string {
  let s = '';
  for (let i = 0; i < 4; i++) s += Math.random().toString(36).slice(2);
  return s + Date.now().toString(36);
}
