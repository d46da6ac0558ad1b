// A formatting thread for generator/format.ts: prettier, given text and
// options, answers with the formatted text or the error's message. Plain
// JavaScript, so that it runs as it is both from a checkout (where the
// generator's TypeScript runs through tsx, which worker threads do not
// inherit) and from the compiled package.
import { parentPort } from "node:worker_threads";
import { format } from "prettier";

// The pool sends one text at a time and the next only after the answer.
parentPort.on("message", ({ text, options }) => {
  format(text, options).then(
    (formatted) => parentPort.postMessage({ text: formatted }),
    (error) => parentPort.postMessage({ error: String(error?.message ?? error) }),
  );
});
