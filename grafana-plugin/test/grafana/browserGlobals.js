// @grafana/data reads window, document, localStorage and navigator when it loads. The query tests run
// in node (they start servers and use fetch); give them jsdom's, as Grafana's browser would.
const { JSDOM } = require('jsdom');

const dom = new JSDOM('', { url: 'http://localhost/' });
for (const name of ['window', 'document', 'localStorage', 'navigator']) {
  if (!(name in globalThis)) {
    Object.defineProperty(globalThis, name, { value: dom.window[name], configurable: true });
  }
}
