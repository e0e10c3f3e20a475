export * from './errors.js';
export * from './schemas.js';
export * from './pushes.js';
export * from './replies.js';
export * from './events.js';
export * from './AppError.js';
export * from './t140.js';
export * from './text.js';
