// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// jsdom has no IntersectionObserver or ResizeObserver; scenes' lazy loader and Grafana UI reference them
// at import time. The pages are built with lazy loading off, so observers that never fire suffice.
class NoopObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}
global.IntersectionObserver = global.IntersectionObserver ?? NoopObserver;

// Measured containers (useMeasure in the scenes grid) learn their size from a ResizeObserver: report a
// desktop-sized box once, when observed.
class FixedSizeResizeObserver extends NoopObserver {
  constructor(callback) {
    super();
    this.callback = callback;
  }
  observe(target) {
    const contentRect = { x: 0, y: 0, top: 0, left: 0, width: 1200, height: 800, right: 1200, bottom: 800 };
    this.callback([{ target, contentRect }], this);
  }
}
global.ResizeObserver = global.ResizeObserver ?? FixedSizeResizeObserver;

// jsdom does no layout: every element measures 0×0, and auto-sizing containers (the scenes grid) then
// render nothing. Give elements a desktop-sized box.
Object.defineProperties(HTMLElement.prototype, {
  offsetWidth: { configurable: true, get: () => 1200 },
  offsetHeight: { configurable: true, get: () => 800 },
});
