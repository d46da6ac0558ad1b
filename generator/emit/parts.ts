/**
 * Emit the codec of each integer enum on its own, as the OCaml library's
 * sub-modules have one (`Version.read`, `CryptMethod.sizeof`, ...):
 * `readType(buf, at)`, `writeType(value, buf, at)` and `sizeofType(value)`,
 * with the root's conventions (errors are values, a failed write leaves the
 * buffer untouched). Records get theirs from the read, write and sizeof
 * emitters; every type's `compareType` and `equalType` come from compare.ts.
 */
import type { ModuleFile } from "./module-file.js";
import type { EnumDef, IntType, Model } from "../model.js";
import { intSize } from "../model.js";
import { article, str } from "./code.js";
import { readInt, withView, writeInt } from "./layout.js";

export function emitParts(model: Model, file: ModuleFile): void {
  for (const def of model.types) {
    if (def.kind === "enum" && def.base.kind === "int")
      emitEnumParts(def, { ...def.base, endian: model.endian }, file);
  }
}

/** The statements that refuse an `at` outside `buf`, as the root's `read` does. */
const CHECK_READ_AT = [
  "if (!Number.isSafeInteger(at) || at < 0 || at > buf.length) {",
  '  const why = Number.isSafeInteger(at) ? `is outside the ${buf.length}-byte buffer` : "is not a whole number";',
  '  return new CodecError("", 0, `offset ${at} ${why}`);',
  "}",
];

/**
 * The statements that refuse a buffer without `size` bytes at `at`, as the
 * root's `write` does; `size` is a local's name or a number.
 */
function checkWriteRoom(size: string | number): string[] {
  const shown = typeof size === "number" ? String(size) : `\${${size}}`;
  return [
    `if (!Number.isSafeInteger(at) || at < 0 || at > buf.length || buf.length - at < ${size}) {`,
    `  return new CodecError("", undefined, \`needs ${shown} bytes at offset \${at}, but the buffer has \${buf.length}\`);`,
    "}",
  ];
}

function emitEnumParts(def: EnumDef, base: IntType, file: ModuleFile): void {
  const name = def.name;
  const n = intSize(base);
  const names = def.values.map((v) => v.name).join(", ");
  const expected = def.open
    ? `one of ${names}, or { unknown } with another value`
    : `one of ${names}`;
  file.addFunction({
    name: `read${name}`,
    isExported: true,
    docs: [
      `Reads a {@link ${name}} (${n} byte${n === 1 ? "" : "s"}) from \`buf\` at byte \`at\`: the value and the offset just after it, or a {@link CodecError}. Never throws.`,
    ],
    parameters: [
      { name: "buf", type: "Uint8Array" },
      { name: "at", initializer: "0" },
    ],
    returnType: `Decoded<${name}> | CodecError`,
    statements: withView(
      [
        ...CHECK_READ_AT,
        `if (buf.length - at < ${n}) return truncated("", at, ${n}, buf.length);`,
        `const raw = ${readInt(base, "at")};`,
        `const value = decode${name}(raw);`,
        ...(def.open
          ? []
          : [
              `if (value === undefined) return new CodecError("", at, \`\${raw} is not ${article(name)} ${name}\`);`,
            ]),
        `return { value, end: at + ${n} };`,
      ].join("\n"),
    ),
  });
  file.addFunction({
    name: `write${name}`,
    isExported: true,
    docs: [
      `Writes a {@link ${name}} into \`buf\` at byte \`at\`: the offset just after it, or a {@link CodecError} (and the buffer untouched).`,
    ],
    parameters: [
      { name: "value", type: name },
      { name: "buf", type: "Uint8Array" },
      { name: "at", initializer: "0" },
    ],
    returnType: "number | CodecError",
    statements: withView(
      [
        `const raw = encode${name}(value);`,
        `if (raw === undefined) return invalid("", ${str(expected)}, value);`,
        ...checkWriteRoom(n),
        writeInt(base, "at", "raw"),
        `return at + ${n};`,
      ].join("\n"),
    ),
  });
  file.addFunction({
    name: `sizeof${name}`,
    isExported: true,
    docs: [`The number of bytes {@link write${name}} writes: always ${n}.`],
    parameters: [{ name: "_value", type: name }],
    returnType: "number",
    statements: `return ${n};`,
  });
}
