/**
 * The page itself. Grafana loads each plugin's settings once per page load and keeps them in memory
 * (public/app/features/plugins/pluginSettings.ts), and `locationService.reload()` only re-renders the
 * route (runtime 12.4 replaces the history state, it does not load the page again): after saving the
 * app's settings, only a real reload makes the pages see them.
 */
export const browserPage = {
  reload(): void {
    window.location.reload();
  },
};
