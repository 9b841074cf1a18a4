// The devDependency alias "express4": "npm:express@^4" has no types of its own. Its
// API, as these tests use it, is the one @types/express describes.
declare module 'express4' {
  import express from 'express'
  export = express
}
