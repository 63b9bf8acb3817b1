import { describe, expect, it } from 'vitest';
import { sortPaths } from './sort-files.js';

const items = ['img10.png', 'img2.png', 'b/1.png', 'img1.png'].map((path) => ({ path }));
const paths = (list: Array<{ path: string }>) => list.map((i) => i.path);

describe('sortPaths', () => {
  it('orders lexicographically, naturally, or as given', () => {
    expect(paths(sortPaths(items, 'lexicographical'))).toEqual([
      'b/1.png',
      'img1.png',
      'img10.png',
      'img2.png',
    ]);
    expect(paths(sortPaths(items, 'natural'))).toEqual(['b/1.png', 'img1.png', 'img2.png', 'img10.png']);
    expect(paths(sortPaths(items, 'predefined'))).toEqual(paths(items));
  });

  it('shuffles randomly but the same way for the same seed', () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ path: `f${i}` }));
    const a = paths(sortPaths(many, 'random', 42));
    expect(a).toEqual(paths(sortPaths(many, 'random', 42)));
    expect(a).not.toEqual(paths(many));
    expect([...a].sort()).toEqual(paths(many).sort());
    expect(a).not.toEqual(paths(sortPaths(many, 'random', 43)));
  });
});
