// A TypeDoc plugin for one rule TypeDoc has no option for: every export of an entry
// point carries an @example (STYLE.md). It warns, and typedoc.json treats warnings as
// errors, so `npm run docs` fails on an export without one, as on one without TSDoc.
import { Application } from 'typedoc'

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    for (const entry of project.children ?? []) {
      for (const exported of entry.children ?? []) {
        // A function's TSDoc sits on its signatures; a class's, interface's or type's on itself.
        const comments = [exported.comment, ...(exported.signatures ?? []).map((s) => s.comment)]
        if (!comments.some((comment) => comment?.getTag('@example'))) {
          app.logger.warn(`${entry.name}.${exported.name} has no @example in its TSDoc`)
        }
      }
    }
  })
}
