/** MS-DOS date/time as stored in zip headers: local time, 2-second resolution, 1980–2107. */
export interface DosDateTime {
  time: number;
  date: number;
}

export function toDosDateTime(when: Date): DosDateTime {
  let year = when.getFullYear();
  if (Number.isNaN(year) || year < 1980) return { time: 0, date: (1 << 5) | 1 };
  if (year > 2107) year = 2107;
  return {
    time: (when.getHours() << 11) | (when.getMinutes() << 5) | (when.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((when.getMonth() + 1) << 5) | when.getDate(),
  };
}

export function fromDosDateTime(time: number, date: number): Date {
  const day = date & 0x1f;
  const month = (date >> 5) & 0x0f;
  const year = ((date >> 9) & 0x7f) + 1980;
  return new Date(
    year,
    Math.max(month, 1) - 1,
    Math.max(day, 1),
    (time >> 11) & 0x1f,
    (time >> 5) & 0x3f,
    (time & 0x1f) * 2,
  );
}
