// A port of the part of OCaml's Format engine (stdlib/format.ml) that
// Sexplib's to_string_hum drives: pp_open_box, pp_close_box,
// pp_print_string, pp_print_space, pp_force_newline and a final flush, on a
// fresh formatter with the default geometry. Matching Sexplib's layout byte
// for byte needs the real algorithm (lazy box sizes, the scan stack, the
// max_indent cap), not an approximation of it. Only what those calls can
// reach is ported; the comments say where that leaves something out.

/** Format's default right margin. */
const MARGIN = 78;
/** Format's default max_indent: margin minus the default min_space_left of 10. */
const MAX_INDENT = 68;
/** Format's pp_infinity: the size given to tokens whose size is still unknown when forced out. */
const INFINITY = 1000000010;

/**
 * How a box treats its breaks. Sexplib opens only pp_open_box boxes ("box");
 * a box found to fit on the line when it is printed becomes "fits". The
 * formatter's outermost system box is a hovbox in OCaml, but it never
 * directly contains a break, and everywhere else a hovbox acts like a box,
 * so it is modelled as "box".
 */
type BoxKind = "box" | "fits";

type Token =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "begin"; readonly indent: number }
  | { readonly kind: "end" }
  // pp_print_space: one space if the line is not split, offset 0 if it is.
  | { readonly kind: "break" }
  | { readonly kind: "newline" };

/** A queued token; a negative size means "not known yet" (it holds -right_total at enqueue time). */
interface QueueElem {
  size: number;
  readonly token: Token;
  readonly length: number;
}

/** A break or box opening whose size is still to be computed. */
interface ScanElem {
  readonly leftTotal: number;
  readonly elem: QueueElem;
}

/** A box being printed: its kind and the space that was left when it was opened, minus its indent. */
interface FormatElem {
  readonly kind: BoxKind;
  readonly width: number;
}

/**
 * A single-use formatter writing to a string: feed it, then call
 * {@link Formatter.flush} once to get the text.
 */
export class Formatter {
  private readonly out: string[] = [];
  private readonly queue: QueueElem[] = [];
  private queueHead = 0;
  private scanStack: ScanElem[] = [];
  private readonly formatStack: FormatElem[] = [];
  private spaceLeft = MARGIN;
  private currentIndent = 0;
  private leftTotal = 1;
  private rightTotal = 1;

  constructor() {
    // Like pp_make_formatter: the system box is queued with an unknown size
    // and sits on the scan stack above the sentinel.
    const systemBox: QueueElem = {
      size: -1,
      token: { kind: "begin", indent: 0 },
      length: 0,
    };
    this.queue.push(systemBox);
    this.initScanStack();
    this.scanStack.push({ leftTotal: 1, elem: systemBox });
  }

  /** pp_open_box: open a box whose broken lines are indented by `indent` from where it starts. */
  openBox(indent: number): void {
    this.scanPush(false, {
      size: -this.rightTotal,
      token: { kind: "begin", indent },
      length: 0,
    });
  }

  /** pp_close_box: close the innermost open box. */
  closeBox(): void {
    this.enqueue({ size: 0, token: { kind: "end" }, length: 0 });
    this.setSize(true);
    this.setSize(false);
  }

  /** pp_print_string: text whose width is its length (Sexplib's printed text is ASCII). */
  printString(text: string): void {
    this.enqueueAdvance({
      size: text.length,
      token: { kind: "text", text },
      length: text.length,
    });
  }

  /** pp_print_space: a break hint printing one space unless the line is split there. */
  printSpace(): void {
    this.scanPush(true, {
      size: -this.rightTotal,
      token: { kind: "break" },
      length: 1,
    });
  }

  /** pp_force_newline: split the line, indenting to the current box's position. */
  forceNewline(): void {
    this.enqueueAdvance({ size: 0, token: { kind: "newline" }, length: 0 });
  }

  /** pp_print_flush, once every box is closed: print everything queued and return the text. */
  flush(): string {
    this.rightTotal = INFINITY;
    this.advanceLeft();
    return this.out.join("");
  }

  private enqueue(elem: QueueElem): void {
    this.rightTotal += elem.length;
    this.queue.push(elem);
  }

  private enqueueAdvance(elem: QueueElem): void {
    this.enqueue(elem);
    this.advanceLeft();
  }

  private scanPush(isBreak: boolean, elem: QueueElem): void {
    this.enqueue(elem);
    if (isBreak) this.setSize(true);
    this.scanStack.push({ leftTotal: this.rightTotal, elem });
  }

  /** The sentinel at the bottom is obsolete by construction, so the stack never empties. */
  private initScanStack(): void {
    const sentinel: QueueElem = {
      size: -1,
      token: { kind: "text", text: "" },
      length: 0,
    };
    this.scanStack = [{ leftTotal: -1, elem: sentinel }];
  }

  /**
   * Fix the size of the break (forBreak) or box opening (!forBreak) on top
   * of the scan stack, now that everything up to here is queued. An entry
   * already printed is obsolete and resets the stack.
   */
  private setSize(forBreak: boolean): void {
    const top = this.scanStack[this.scanStack.length - 1]!;
    if (top.leftTotal < this.leftTotal) {
      this.initScanStack();
      return;
    }
    const kind = top.elem.token.kind;
    if ((kind === "break" && forBreak) || (kind === "begin" && !forBreak)) {
      top.elem.size += this.rightTotal;
      this.scanStack.pop();
    }
  }

  /** Print queued tokens while their size is known or the pending text cannot fit anyway. */
  private advanceLeft(): void {
    while (this.queueHead < this.queue.length) {
      const elem = this.queue[this.queueHead]!;
      const pending = this.rightTotal - this.leftTotal;
      if (elem.size < 0 && pending < this.spaceLeft) break;
      this.queueHead++;
      this.formatToken(elem.size < 0 ? INFINITY : elem.size, elem.token);
      this.leftTotal += elem.length;
    }
    this.compactQueue();
  }

  /** Drop printed tokens once they dominate the array, keeping dequeues amortised O(1). */
  private compactQueue(): void {
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }

  private formatToken(size: number, token: Token): void {
    switch (token.kind) {
      case "text":
        this.spaceLeft -= size;
        this.out.push(token.text);
        return;
      case "begin":
        this.beginBox(size, token.indent);
        return;
      case "end":
        this.formatStack.pop();
        return;
      case "newline":
        this.breakNewLine(this.topBox().width);
        return;
      case "break":
        this.formatBreak(size);
        return;
    }
  }

  private beginBox(size: number, indent: number): void {
    // A box cannot start beyond max_indent: reject it to the left by
    // simulating a break in the enclosing box.
    if (MARGIN - this.spaceLeft > MAX_INDENT) this.forceBreakLine();
    this.formatStack.push({
      kind: size > this.spaceLeft ? "box" : "fits",
      width: this.spaceLeft - indent,
    });
  }

  private forceBreakLine(): void {
    const { kind, width } = this.topBox();
    if (width > this.spaceLeft && kind !== "fits") this.breakNewLine(width);
  }

  /**
   * Pp_box's rule: split if what follows up to the next break does not fit,
   * or if splitting moves left. Format also never splits right after a split
   * (pp_is_new_line); that cannot arise here, because Sexplib prints the
   * start of an element (text) between any split and the next break.
   */
  private formatBreak(size: number): void {
    const { kind, width } = this.topBox();
    const split = kind === "box" && (size > this.spaceLeft || this.currentIndent > MARGIN - width);
    if (split) this.breakNewLine(width);
    else this.breakSameLine(1);
  }

  private breakNewLine(width: number): void {
    this.out.push("\n");
    this.currentIndent = Math.min(MAX_INDENT, MARGIN - width);
    this.spaceLeft = MARGIN - this.currentIndent;
    this.out.push(" ".repeat(this.currentIndent));
  }

  private breakSameLine(width: number): void {
    this.spaceLeft -= width;
    this.out.push(" ".repeat(width));
  }

  /** The system box is opened first and never closed, so a box is always open while printing. */
  private topBox(): FormatElem {
    return this.formatStack[this.formatStack.length - 1]!;
  }
}
