// The page imports the bundle as ./client.mjs (the server sends dist/client/index.mjs);
// for the type checker that module is the client's source. Never served.
export * from '../../lib/client/index.js'
