import path from 'node:path';

/** The repository root. */
export const repoRoot = path.resolve(__dirname, '..', '..');

/** Where everything of one stack lives, under its state folder. */
export function stateLayout(stateDir: string) {
  const at = (...parts: string[]) => path.join(stateDir, ...parts);
  return {
    root: stateDir,
    config: at('config'),
    logs: at('logs'),
    mariadb: at('mariadb'),
    prometheus: at('prometheus'),
    alertmanager: at('alertmanager'),
    reporter: at('reporter'),
    sink: at('sink'),
    grafana: at('grafana'),
    history: at('history'),
    secrets: at('secrets'),
    /** ports, seed time, history range: what the next start reuses */
    stateFile: at('stack.json'),
    /** the running stack's process groups, so a crashed run's leftovers can be stopped */
    runFile: at('run.json'),
  };
}
export type StateLayout = ReturnType<typeof stateLayout>;

/** The services and their default loopback ports. */
export const DEFAULT_PORTS = {
  mariadb: 3307,
  exporter: 9864,
  reporter: 9865,
  prometheus: 9090,
  alertmanager: 9093,
  'node-exporter': 9100,
  'mysqld-exporter': 9104,
  'sink-web': 8025,
  'sink-smtp': 1025,
  grafana: 3000,
} as const;
export type PortName = keyof typeof DEFAULT_PORTS;
export type Ports = Record<PortName, number>;
