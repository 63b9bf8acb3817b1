/** The bench's human-readable summary of `.bench/format.json`. */

type Row = [string, string, string];
type Rec = Record<string, number>;

const f = (n: unknown, d = 2) => (typeof n === 'number' ? n.toFixed(d) : String(n));

function writeRows(mediaMiB: unknown, write: unknown): Row[] {
  const w = write as Record<string, Rec>;
  const ratio = (key: string) => (write as Record<string, Record<string, Rec>>)['ratios']![key]!;
  const both = (key: string) => `${f(ratio(key)['wall'])} (CPU time: ${f(ratio(key)['cpu'])})`;
  const speed = (key: string) => `${f(w[key]!['MiBps'], 0)} MiB/s, CPU ${f(w[key]!['medianCpuSeconds'])} s`;
  return [
    [
      `write ${mediaMiB} MiB store-only, media as open files`,
      `${f(w['ours']!['MiBps'], 0)} MiB/s`,
      speed('ours'),
    ],
    ['  same, media as read streams', `${f(w['oursStreams']!['MiBps'], 0)} MiB/s`, speed('oursStreams')],
    ['  zip -0 -r', '', speed('zip')],
    ['  cat files > out (copy_file_range, in-kernel)', '', speed('cat')],
    ['  cat files >> out (read/write via user space)', '', speed('catUserSpace')],
    ['  Node: read streams into a write stream', '', speed('nodeStream')],
    ['  Node: cheapest copy (sync, 128 KiB buffer)', '', speed('nodeSync')],
    ['  Node: cheapest copy + CRC-32', '', speed('nodeSyncCrc')],
    ['  ratio vs zip -0 -r (target ≥ 0.9)', both('oursVsZip'), ''],
    ['  ratio vs cat copy (target ≥ 0.8)', both('oursVsCat'), ''],
    ['  ratio vs cat through user space', both('oursVsCatUserSpace'), ''],
    ['  ratio vs Node read/write streams', both('oursVsNodeStream'), ''],
    ['  ratio vs cheapest Node copy + CRC', both('oursVsNodeSyncCrc'), ''],
    ['  read streams: ratio vs zip, vs cat', `${both('oursStreamsVsZip')}`, both('oursStreamsVsCat')],
    ['  ceiling: cheapest Node copy vs cat', both('nodeSyncVsCat'), ''],
    ['  ceiling: cheapest Node copy + CRC vs cat', both('nodeSyncCrcVsCat'), ''],
    ['  cat user space vs cat copy_file_range', both('catUserSpaceVsCat'), ''],
  ];
}

export function printTable(r: Record<string, unknown>): void {
  const x = r['extract'] as Rec;
  const s = r['rss'] as Rec;
  const rssOf = (mode: string) => (r['rss'] as Record<string, Rec>)[mode]!;
  const c = r['crc32'] as Rec;
  const rows: Row[] = [
    [
      'CRC-32 native (zlib.crc32)',
      `${f(c['nativeMiBps'], 0)} MiB/s`,
      `pure JS: ${f(c['pureJsMiBps'], 0)} MiB/s (${f(c['ratio'], 1)}x slower)`,
    ],
    ...writeRows(r['mediaMiB'], r['write']),
    ['extract (CRC-checked)', `${f(x['oursMiBps'], 0)} MiB/s`, `unzip: ${f(x['unzipMiBps'], 0)} MiB/s`],
    ['  ratio vs unzip (target ≥ 0.9)', `${f(x['vsUnzip'])} (CPU time: ${f(x['vsUnzipCpu'])})`, ''],
    ...(['defaultMalloc', 'fixedMmapThreshold', 'streamSources'] as const).flatMap((mode): Row[] => [
      [`peak RSS writing ${s['bigMiB']} MiB (${mode})`, `${f(rssOf(mode)['bigPeakRssMiB'], 1)} MiB`, ''],
      [`peak RSS writing ${s['smallMiB']} MiB (${mode})`, `${f(rssOf(mode)['smallPeakRssMiB'], 1)} MiB`, ''],
      ['  difference (target ≤ 32 MiB)', `${f(rssOf(mode)['differenceMiB'], 1)} MiB`, ''],
    ]),
  ];
  for (const [shapes, a] of Object.entries(r['annotations'] as Record<string, Rec>)) {
    rows.push([
      `annotations.json ${Number(shapes).toLocaleString('en')} shapes`,
      `${f(a['annotationsMiB'], 0)} MiB`,
      '',
    ]);
    rows.push([
      '  write',
      `${f(a['writeMiBps'], 1)} MiB/s`,
      `${f(a['writeShapesPerS'], 0)} shapes/s, CPU ${f(a['writeCpuSeconds'])} s, peak RSS ${f(a['writePeakRssMiB'], 1)} MiB`,
    ]);
    rows.push([
      '  streaming read + validation',
      `${f(a['readMiBps'], 1)} MiB/s`,
      `${f(a['readShapesPerS'], 0)} shapes/s, CPU ${f(a['readCpuSeconds'])} s, peak RSS ${f(a['readPeakRssMiB'], 1)} MiB`,
    ]);
  }
  const width = Math.max(...rows.map((row) => row[0].length));
  for (const [a, b, c2] of rows) process.stdout.write(`${a.padEnd(width)}  ${b.padStart(14)}  ${c2}\n`);
}
