// types/express-jwt-gate.d.ts
export {} // a module, so the block below adds to the package's types (without it: TS2305)

declare module 'express-jwt-gate' {
  interface Features {
    invoicing: true
    todos: true
  }
}
