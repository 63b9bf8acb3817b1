/**
 * The one rule for entry names, shared by writer and reader: relative, forward slashes, no `.`/`..`
 * or empty segments, no drive letters, no control characters. Returns why a name is refused, or null.
 */
export function entryNameProblem(name: string): string | null {
  if (name.length === 0) return 'empty name';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'control character in name';
  if (name.includes('\\')) return 'backslash in name';
  if (name.startsWith('/')) return 'absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'drive letter';
  const segments = name.split('/');
  for (const [i, segment] of segments.entries()) {
    if (segment === '..') return 'parent directory segment';
    if (segment === '.') return 'current directory segment';
    if (segment === '' && i !== segments.length - 1) return 'empty path segment';
  }
  return null;
}

/** Directory entries end with a slash; CVAT never writes them and readers skip them. */
export function isDirectoryName(name: string): boolean {
  return name.endsWith('/');
}
