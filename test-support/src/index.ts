export * from './ports';
export * from './process';
export * from './paths';
export * from './mariadb';
export * from './prometheus';
export * from './alertmanager';
export * from './exporter';
export * from './promtool';
