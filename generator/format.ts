/**
 * Generated text as prettier prints it, formatted in pieces. A module is
 * formatted a batch of top-level declarations at a time and a layout page a
 * batch of sections at a time: prettier formats each top-level statement
 * (and each top-level Markdown block) on its own and keeps at most one blank
 * line between them, so the joined pieces are what formatting the whole
 * text gives (test/format.test.ts checks that), while prettier's memory
 * stays bounded by a batch rather than growing with the schema.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { format, type Options } from "prettier";
import type { ModuleText } from "./emit/module.js";
import type { FormatCache } from "./format-cache.js";

/** Characters given to prettier at a time. */
const BATCH = 1 << 16;

/** Text (of one module and its page) from which formatting is worth starting threads for. */
const THREADED = 1 << 20;

/**
 * How many threads format: `jobs` if given (0: this thread), otherwise
 * none for a module under about 1 MB (starting a thread, which loads
 * prettier, takes longer than formatting it) and one per core, up to four,
 * for a larger one.
 */
export function formatThreads(size: number, jobs?: number): number {
  if (jobs !== undefined) return jobs;
  return size < THREADED ? 0 : Math.min(4, availableParallelism());
}

/** Formats `text` with prettier in this thread or in the pool's threads. */
export type Formatter = (text: string, options: Options) => Promise<string>;

/** Where to format: `threads` worker threads (0: this thread). */
export function formatterFor(threads: number): Formatter {
  if (threads <= 0) return format;
  const pool = sharedPool(threads);
  return (text, options) => pool.format(text, options);
}

/**
 * Generated TypeScript as prettier prints it. Prettier's Babel parser gives
 * the same output as its TypeScript one for everything we emit and takes
 * about 40% less time on a large module (parsing is a third of
 * prettier's cost).
 */
export function formatTypeScript(code: string, formatter: Formatter = format): Promise<string> {
  return formatter(code, TYPESCRIPT);
}

const TYPESCRIPT: Options = { parser: "babel-ts", printWidth: 100 };
const MARKDOWN: Options = { parser: "markdown", printWidth: 100 };

/** Compiled JavaScript as prettier prints it. */
export function formatJavaScript(code: string): Promise<string> {
  return format(code, { parser: "babel", printWidth: 100 });
}

/** A Markdown page as prettier prints it. */
export function formatMarkdown(text: string): Promise<string> {
  return format(text, MARKDOWN);
}

/**
 * A module and its layout page, given in pieces, formatted together, in
 * `jobs` threads if given, otherwise as `formatThreads` decides by size;
 * batches found in `cache` are not formatted again.
 */
export async function formatOutputs(
  module: ModuleText,
  page: readonly string[],
  jobs?: number,
  cache?: FormatCache,
): Promise<{ module: string; page: string }> {
  const size = module.declarations.reduce((n, d) => n + d.text.length, module.head.length);
  const threads = formatThreads(size, jobs);
  // Threads start only when something is not in the cache.
  let started: Formatter | undefined;
  const lazily: Formatter = (text, options) => (started ??= formatterFor(threads))(text, options);
  const formatter = cache === undefined ? lazily : cache.around(lazily);
  const [code, doc] = await Promise.all([
    formatModule(module, formatter),
    formatLayoutDoc(page, formatter),
  ]);
  return { module: code, page: doc };
}

/** A module given in pieces (emit/module.ts), formatted; `batch` is for tests. */
export async function formatModule(
  module: ModuleText,
  formatter: Formatter = format,
  batch = BATCH,
): Promise<string> {
  const pieces = batches(
    module.declarations.map((d) => ({ text: d.text, separator: d.blankBefore ? "\n\n" : "\n" })),
    batch,
  );
  // The head (preamble, runtime, imports) goes with the first batch, whose
  // first declaration its comments may belong to.
  const first = pieces[0] ?? { text: "", blankBefore: false };
  pieces[0] = { ...first, text: `${module.head}${first.text}` };
  const formatted = await Promise.all(
    pieces.map((piece) => formatter(`${piece.text}\n`, TYPESCRIPT)),
  );
  return formatted
    .map((text, i) => (i > 0 && pieces[i]!.blankBefore ? `\n${text}` : text))
    .join("");
}

/**
 * A layout page given as sections, each starting with a heading (as
 * `layoutDocSections` makes them; the page is their lines joined),
 * formatted.
 */
export async function formatLayoutDoc(
  sections: readonly string[],
  formatter: Formatter = format,
  batch = BATCH,
): Promise<string> {
  const pieces = batches(
    sections.map((text) => ({ text, separator: "\n" })),
    batch,
  );
  const formatted = await Promise.all(pieces.map((piece) => formatter(piece.text, MARKDOWN)));
  return formatted.join("\n");
}

/**
 * Consecutive texts joined into batches of about `size` characters; each
 * text's separator goes before it within a batch, and a batch says whether
 * its first text's separator held a blank line.
 */
function batches(
  texts: readonly { text: string; separator: string }[],
  size: number,
): { text: string; blankBefore: boolean }[] {
  const out: { text: string; blankBefore: boolean }[] = [];
  let parts: string[] = [];
  let length = 0;
  let blankBefore = false;
  texts.forEach(({ text, separator }, i) => {
    if (parts.length === 0) blankBefore = i > 0 && separator.includes("\n\n");
    else parts.push(separator);
    parts.push(text);
    length += text.length;
    // A batch ends at `size`, or from a quarter of it after a text whose
    // hash says so: where batches end then depends on the texts nearby, not
    // on everything before, so one changed declaration changes one batch
    // (which is what lets a cache of formatted batches work).
    if (length >= size || (length >= size / 4 && (hashOf(text) & 3) === 0)) {
      out.push({ text: parts.join(""), blankBefore });
      parts = [];
      length = 0;
    }
  });
  if (parts.length > 0) out.push({ text: parts.join(""), blankBefore });
  return out;
}

/** FNV-1a of a text's UTF-16 code units: quick, and the same on every run. */
function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Answers from a formatting thread (format-worker.mjs). */
type Answer = { text: string } | { error: string };

/** Text waiting to be formatted, and where its result goes. */
interface Task {
  text: string;
  options: Options;
  resolve: (text: string) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  /** What it is formatting: one text at a time, so its memory holds one batch. */
  current: Task | undefined;
  /** Why it no longer works, once it does not. */
  failed: Error | undefined;
}

/**
 * Worker threads running prettier, shared by every module this process
 * formats. Texts wait here and go to the first idle thread. A thread keeps
 * the process alive only while it has work, so a program that is done
 * exits without closing the pool.
 */
class FormatPool {
  private readonly threads: Thread[] = [];
  private readonly queue: Task[] = [];

  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      const worker = new Worker(new URL("./format-worker.mjs", import.meta.url));
      const thread: Thread = { worker, current: undefined, failed: undefined };
      worker.unref();
      worker.on("message", (answer: Answer) => {
        const task = thread.current;
        thread.current = undefined;
        if ("error" in answer) task?.reject(new Error(`prettier: ${answer.error}`));
        else task?.resolve(answer.text);
        this.dispatch(thread);
      });
      const fail = (error: Error): void => {
        thread.failed ??= error;
        thread.current?.reject(thread.failed);
        thread.current = undefined;
        // With no thread left, nothing would ever take the waiting texts.
        if (this.threads.every((t) => t.failed !== undefined))
          for (const task of this.queue.splice(0)) task.reject(thread.failed);
      };
      worker.on("error", fail);
      worker.on("exit", (code) =>
        fail(new Error(`a formatting thread stopped (exit code ${code})`)),
      );
      this.threads.push(thread);
    }
  }

  format(text: string, options: Options): Promise<string> {
    const working = this.threads.find((t) => t.failed === undefined);
    if (working === undefined)
      return Promise.reject(this.threads[0]?.failed ?? new Error("no formatting threads"));
    return new Promise((resolve, reject) => {
      this.queue.push({ text, options, resolve, reject });
      const idle = this.threads.find((t) => t.failed === undefined && t.current === undefined);
      if (idle !== undefined) this.dispatch(idle);
    });
  }

  /** Gives `thread` the next waiting text, if it works and there is one. */
  private dispatch(thread: Thread): void {
    if (thread.failed !== undefined) return;
    const task = this.queue.shift();
    if (task === undefined) {
      thread.worker.unref();
      return;
    }
    thread.current = task;
    thread.worker.ref();
    thread.worker.postMessage({ text: task.text, options: task.options });
  }
}

let pool: FormatPool | undefined;

/** The process's formatting threads, started on first need (as many as that asked for). */
function sharedPool(threads: number): FormatPool {
  pool ??= new FormatPool(threads);
  return pool;
}
