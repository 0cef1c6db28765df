// The database's tables and enum types, one module per concern under schema/. drizzle-kit reads
// this file (drizzle.config.ts) and the program imports it whole (`import * as schema`).

export * from './schema/bulletins.js';
export * from './schema/cloud.js';
export * from './schema/deliveries.js';
export * from './schema/enums.js';
export * from './schema/outlets.js';
export * from './schema/staff.js';
export * from './schema/state.js';
export * from './schema/subscribers.js';
