/** A problem in a schema, located in its file. */
export interface Problem {
  file: string;
  line: number;
  col: number;
  /** Schema path, e.g. `/types/Header/record/2/type`. */
  path: string;
  message: string;
}

/** `schema/qcow2.yaml:12:7: /types/Header: message`, the form editors and terminals link. */
export function formatProblem(p: Problem): string {
  const where = p.path === "" ? "" : `${p.path}: `;
  return `${p.file}:${p.line}:${p.col}: ${where}${p.message}`;
}

/** Sorts problems by position so output is stable and reads top to bottom. */
export function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) => a.line - b.line || a.col - b.col || a.message.localeCompare(b.message),
  );
}
