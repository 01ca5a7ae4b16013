// The score model shared by the app, the server and the models.
export * from './types';
export * from './ids';
export * from './doc';
export * from './commands';
export * from './query';
export * from './jobs';
export * from './suggestions';
export * from './validate';
export * from './tempo-map';
