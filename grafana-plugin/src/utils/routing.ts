import { PLUGIN_BASE_URL } from '../constants';

/** Absolute URL of an app route. */
export function prefixRoute(route: string): string {
  return `${PLUGIN_BASE_URL}/${route}`;
}
