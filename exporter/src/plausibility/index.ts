export * from './bounds';
export * from './checks';
export * from './rejections';
